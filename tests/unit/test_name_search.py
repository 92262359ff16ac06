"""Finding a person by what is typed: characters, pinyin, initials (services.name_search)."""

import pytest

from services.name_search import name_keys, name_matches, normalise, text_matches


@pytest.mark.parametrize("typed", [
    "zhang", "zs", "zhangs", "zhangsan", "zhsan", "zhs", "z",
    "ZHANG", "ZhangSan", "zHaNgS",  # any case
    "ｚｈａｎｇ", "ＺＳ",  # full-width letters, as a Chinese keyboard types them
    "zhang san", "zhang'san",  # separators people put between syllables
    "张", "张三", "张s", "san",  # characters, mixed, the given name alone
])
def test_zhang_san_is_found_by(typed):
    assert name_matches(typed, "张三")


@pytest.mark.parametrize("typed", ["wang", "zsx", "sz", "zhangsi", "张四", "zhangsan1"])
def test_zhang_san_is_not_found_by(typed):
    assert not name_matches(typed, "张三")


def test_an_empty_search_finds_everyone():
    assert name_matches("", "张三") and name_matches("  ", "张三")


@pytest.mark.parametrize(("name", "surname", "not_as_surname"), [
    ("曾志伟", "zeng", "ceng"),
    ("单田芳", "shan", "dan"),
    ("解缙", "xie", "jie"),
    ("仇英", "qiu", "chou"),
    ("区志航", "ou", "qu"),
    ("丁帆", "ding", "zheng"),
])
def test_a_polyphonic_surname_is_read_as_a_surname(name, surname, not_as_surname):
    assert name_matches(surname, name)
    assert name_matches(surname[0], name)
    assert not name_matches(not_as_surname, name)


def test_zeng_zhi_wei_by_initials():
    assert name_matches("zzw", "曾志伟")
    assert not name_matches("czw", "曾志伟")


def test_a_polyphonic_character_in_the_given_name_is_found_by_any_of_its_readings():
    assert name_matches("zengle", "曾乐") and name_matches("zengyue", "曾乐")


def test_a_compound_surname_is_read_as_one():
    assert name_keys("尉迟恭")[:2] == (("尉", "yu"), ("迟", "chi"))
    assert name_matches("yuchigong", "尉迟恭") and name_matches("ycg", "尉迟恭")


def test_lv_and_lu_both_find_lü():
    assert name_matches("lv", "吕芳") and name_matches("lu", "吕芳") and name_matches("lü", "吕芳")


def test_a_transliterated_name_is_found_without_its_dot():
    assert name_matches("aili", "阿里木·艾力")


def test_the_pinyin_of_a_name_is_read_once():
    name_keys.cache_clear()
    for _ in range(3):
        name_matches("zs", "张三")
    assert name_keys.cache_info().misses == 1


def test_text_search_ignores_case_and_width():
    assert text_matches("ＡＢＣ", "abc 公司")
    assert text_matches("", None)
    assert not text_matches("银行", None)


def test_normalise():
    assert normalise(" Zhang'San·Ｌｉ ") == "zhangsanli"
