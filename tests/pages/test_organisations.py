"""Organisations and their lists, through app.py as an administrator."""

from datetime import date

from sqlmodel import select

from core.db import get_engine, read_session, write_session
from models import Member, Organisation, OrgLevel, Sector, Term
from services import reference
from services.actors import SYSTEM
from services.reference import OrganisationInput
from tests.helpers import factories
from tests.helpers.app_test import button, text_input, widget

PAGE = "pages/organisations.py"
CITY = factories.TOP


def _open(app):
    app.switch_page(PAGE).run()
    assert not app.exception
    return app


def _organisations(app_env) -> dict[str, Organisation]:
    with read_session(get_engine(app_env)) as session:
        return {o.name: o for o in session.exec(select(Organisation)).all()}


def _sectors(app_env, organisation_id: int) -> list[str]:
    with read_session(get_engine(app_env)) as session:
        return list(session.exec(select(Sector.name)
                                 .where(Sector.organisation_id == organisation_id)
                                 .order_by(Sector.sort_order)))


def _add_district(app_env, name: str) -> int:
    with write_session(get_engine(app_env)) as session:
        return reference.add_organisation(
            session=session, actor=SYSTEM,
            data=OrganisationInput(name, OrgLevel.DISTRICT, CITY)).id


def test_admin_sees_the_tree_adds_a_district_and_gives_it_a_sector(admin_app, app_env):
    app = _open(admin_app)
    assert [s for s in app.selectbox if s.label == "选择政协组织"] == []  # one organisation
    form = f"add_organisation_{CITY}"
    text_input(app, "名称", form=form).input("东城区")
    assert widget(app, "selectbox", "级别", form=form).value is OrgLevel.DISTRICT
    button(app, "添加", form=form).click().run()
    assert not app.exception
    assert "已添加" in app.success[0].value
    east = _organisations(app_env)["东城区"]
    assert (east.level, east.parent_id) == (OrgLevel.DISTRICT, CITY)

    tree = app.dataframe[0].value
    assert list(tree["indented_name"]) == ["本级政协", "\u3000东城区"]
    widget(app, "selectbox", "选择政协组织").select(east.id).run()
    assert app.subheader[0].value == "东城区"
    assert any("该组织还没有界别" in info.value for info in app.info)
    form = f"add_sectors_{east.id}"
    text_input(app, "界别名称", form=form).input("教育界")
    text_input(app, "界别节日名称", form=form).input("教师节")
    widget(app, "selectbox", "月", form=form).select(9)
    widget(app, "selectbox", "日", form=form).select(10)
    button(app, "添加", form=form).click().run()
    assert not app.exception
    assert _sectors(app_env, east.id) == ["教育界"]
    assert _sectors(app_env, CITY) == []
    assert text_input(app, "界别名称", form=form).value == ""  # ready for the next one
    sectors = app.dataframe[1].value
    assert sectors[["name", "holiday"]].values.tolist() == [["教育界", "教师节（9月10日）"]]


def test_a_single_organisation_is_renamed_without_a_picker(admin_app, app_env):
    app = _open(admin_app)
    assert [s for s in app.selectbox if s.label == "选择政协组织"] == []
    form = f"organisation_{CITY}"
    assert text_input(app, "名称", form=form).value == "本级政协"
    text_input(app, "名称", form=form).input("江门市政协")
    button(app, "保存", form=form).click().run()
    assert not app.exception
    assert "江门市政协" in _organisations(app_env)
    assert app.subheader[0].value == "江门市政协"


def test_bad_input_is_shown_next_to_the_field_and_the_typing_kept(admin_app, app_env):
    with write_session(get_engine(app_env)) as session:
        factories.organisation(session, CITY)  # 教育界 exists
    app = _open(admin_app)
    form = f"add_sectors_{CITY}"
    text_input(app, "界别名称", form=form).input("教育界")
    text_input(app, "界别节日名称", form=form).input("教师节")
    button(app, "添加", form=form).click().run()
    errors = [e.value for e in app.error]
    assert "本组织已有同名界别。" in errors
    assert "界别节日需要同时填写名称、月份和日期。" in errors
    assert text_input(app, "界别节日名称", form=form).value == "教师节"
    assert _sectors(app_env, CITY) == ["教育界"]

    form = f"add_organisation_{CITY}"
    text_input(app, "名称", form=form).input("某市")
    widget(app, "selectbox", "级别", form=form).select(OrgLevel.CITY)
    button(app, "添加", form=form).click().run()
    errors = [e.value for e in app.error]
    assert "下级组织的级别须低于上级组织：省级 > 市级 > 区级、县级。" in errors
    assert text_input(app, "名称", form=form).value == "某市"


def test_a_delete_needs_a_confirmation_and_is_refused_while_in_use(admin_app, app_env):
    with write_session(get_engine(app_env)) as session:
        education = factories.member(session, factories.organisation(session, CITY)).sector_id
        sports = Sector(organisation_id=CITY, name="体育界", sort_order=9)
        session.add(sports)
        session.flush()
        sports = sports.id
    app = _open(admin_app)
    delete = f"delete_sectors_{education}"
    assert _button(app, delete).disabled
    widget(app, "checkbox", "我确认要删除“教育界”").check().run()
    _button(app, delete).click().run()
    assert "不能删除“教育界”：仍有 1 名委员（含历任）属于它。" in [e.value for e in app.error]
    assert _sectors(app_env, CITY) == ["教育界", "体育界"]

    widget(app, "selectbox", "选择要修改的界别").select(sports).run()
    widget(app, "checkbox", "我确认要删除“体育界”").check().run()
    _button(app, f"delete_sectors_{sports}").click().run()
    assert not app.exception
    assert "已删除" in app.success[0].value
    assert _sectors(app_env, CITY) == ["教育界"]


def _button(app, key: str):
    return next(b for b in app.button if b.key == key)


def test_a_term_is_added_current_and_members_keep_theirs(admin_app, app_env):
    app = _open(admin_app)
    assert any("该组织还没有届次" in info.value for info in app.info)
    form = f"add_terms_{CITY}"
    widget(app, "number_input", "第几届", form=form).set_value(14)
    text_input(app, "届次名称", form=form).input("十四届")
    widget(app, "date_input", "开始日期", form=form).set_value("2023-01-01")
    button(app, "添加", form=form).click().run()
    assert not app.exception
    terms = app.dataframe[-1].value
    assert terms[["name", "is_current"]].values.tolist() == [["十四届", True]]
    with read_session(get_engine(app_env)) as session:
        assert session.exec(select(Member)).all() == []


def test_an_admin_with_districts_picks_the_organisation(admin_app, app_env):
    east = _add_district(app_env, "东城区")
    app = _open(admin_app)
    picker = widget(app, "selectbox", "选择政协组织")
    assert picker.options == ["本级政协", "\u3000东城区"]
    picker.select(east).run()
    form = f"organisation_{east}"
    assert widget(app, "selectbox", "上级组织", form=form).value == CITY


def test_a_sector_moves_up_and_another_term_becomes_current(admin_app, app_env):
    with write_session(get_engine(app_env)) as session:
        factories.organisation(session, CITY)  # 教育界 and the current 十四届
        second = Sector(organisation_id=CITY, name="经济界", sort_order=1)
        older = Term(organisation_id=CITY, number=13, name="十三届", starts_on=date(2018, 1, 1))
        session.add_all([second, older])
        session.flush()
        second, older = second.id, older.id
    app = _open(admin_app)
    widget(app, "selectbox", "选择要修改的界别").select(second).run()
    _button(app, f"move_sectors_{second}.up").click().run()
    assert not app.exception
    assert _sectors(app_env, CITY) == ["经济界", "教育界"]

    widget(app, "selectbox", "选择要修改的届次").select(older).run()
    _button(app, f"current_term_{older}").click().run()
    with read_session(get_engine(app_env)) as session:
        assert [t.id for t in session.exec(select(Term).where(Term.is_current))] == [older]


def test_sectors_with_and_without_a_holiday_open_for_editing(admin_app, app_env):
    """A list where some sectors have a holiday and the first has none (pandas reads the
    missing names as NaN): the edit form opens on the first, with an empty holiday."""
    with write_session(get_engine(app_env)) as session:
        reference.add_sector(session=session, actor=SYSTEM, organisation_id=CITY,
                             data=reference.SectorInput(name="经济界"))
        reference.add_sector(session=session, actor=SYSTEM, organisation_id=CITY,
                             data=reference.SectorInput(name="工会", holiday_name="劳动节",
                                                        holiday_month=5, holiday_day=1))
    app = _open(admin_app)
    assert [t.value for t in app.text_input if t.label == "界别名称"][-1] in {"经济界", "工会"}
    assert not app.exception
