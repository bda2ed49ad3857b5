"""Names sort by 拼音 (阿明, Bob, 王五, 张三), not by code point (张 before 王 before 阿), and answer a
filter box by their 拼音 and initials."""

from __future__ import annotations

from guanqing.core.pinyin import pinyin_key, search_keys, sorted_by_pinyin


def test_names_sort_by_pinyin_not_code_point():
    names = ["张三", "王五", "阿明", "Bob", "钱七"]
    assert sorted(names) == ["Bob", "张三", "王五", "钱七", "阿明"]
    assert sorted_by_pinyin(names) == ["阿明", "Bob", "钱七", "王五", "张三"]


def test_names_that_read_alike_keep_a_fixed_order():
    assert pinyin_key("张三") < pinyin_key("章三")  # zhang san both; then by the text
    assert sorted_by_pinyin(["章三", "张三"]) == sorted_by_pinyin(["张三", "章三"])


def test_sorted_by_pinyin_takes_the_name_from_each_item():
    rows = [{"name": "张三"}, {"name": "阿明"}]
    assert sorted_by_pinyin(rows, lambda r: r["name"]) == [{"name": "阿明"}, {"name": "张三"}]


def test_a_name_answers_to_its_pinyin_and_initials():
    assert search_keys("张三") == "zhangsan zs"
