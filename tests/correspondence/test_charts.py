import xml.etree.ElementTree as ET

import pytest

from correspondence.charts import Series, grouped_bar_chart, horizontal_bar_chart, nice_ceiling

SVG = "{http://www.w3.org/2000/svg}"


def bars(svg: str) -> list[ET.Element]:
    return [el for el in ET.fromstring(svg).iter(f"{SVG}rect") if el.get("class") == "bar"]


@pytest.mark.parametrize(("value", "expected"), [(0, 1), (1, 1), (3, 5), (7, 10), (12, 20), (48, 50), (51, 100)])
def test_axis_top_is_a_round_number_at_or_above_the_peak(value, expected):
    assert nice_ceiling(value) == expected


def test_grouped_chart_draws_one_bar_per_week_and_series_with_its_value():
    svg = grouped_bar_chart(
        ["S1", "S2", "S3"],
        [Series("Arrivée", [4, 0, 9]), Series("Départ", [1, 2, 3])],
        title="Courrier par semaine",
    )
    values = [int(b.get("data-value")) for b in bars(svg)]
    assert values == [4, 1, 0, 2, 9, 3]
    root = ET.fromstring(svg)
    assert root.find(f"{SVG}title").text == "Courrier par semaine"
    assert root.get("role") == "img"


def test_grouped_chart_bar_heights_are_proportional_to_values():
    svg = grouped_bar_chart(["a", "b"], [Series("x", [10, 5])], title="t")
    tall, short = (float(b.get("height")) for b in bars(svg))
    assert tall == pytest.approx(2 * short)


def test_chart_labels_are_escaped_not_injected():
    svg = grouped_bar_chart(["<script>alert(1)</script>"], [Series("A & B", [1])], title='"x"')
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    ET.fromstring(svg)  # still well-formed XML


def test_series_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError):
        grouped_bar_chart(["a", "b"], [Series("x", [1])], title="t")


def test_all_zero_series_draws_flat_bars_without_dividing_by_zero():
    svg = grouped_bar_chart(["a", "b"], [Series("x", [0, 0])], title="t")
    assert [float(b.get("height")) for b in bars(svg)] == [0.0, 0.0]


def test_horizontal_chart_one_row_per_assignee_and_long_names_shortened():
    long_name = "M. Tchilabalo ESSO, directeur des affaires africaines"
    svg = horizontal_bar_chart([("Koffi DOGBE", 5), (long_name, 2)], title="En retard")
    assert [int(b.get("data-value")) for b in bars(svg)] == [5, 2]
    texts = [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert "Koffi DOGBE" in texts
    assert any(t and t.endswith("…") for t in texts)
    # the tooltip keeps the full name
    assert long_name in svg


def test_horizontal_chart_without_items_says_so():
    svg = horizontal_bar_chart([], title="En retard", empty_label="Aucune imputation en retard")
    assert bars(svg) == []
    assert "Aucune imputation en retard" in svg


@pytest.mark.parametrize("peak", [9, 95, 1_450, 14_900])
def test_grouped_chart_leaves_room_for_its_widest_tick_label(peak):
    """At a million letters a week holds 1 200 letters: the tick "1600" was cut to "600"."""
    svg = ET.fromstring(str(grouped_bar_chart(["a", "b"], [Series("x", [peak, 1])], title="t")))
    ns = {"s": "http://www.w3.org/2000/svg"}
    ticks = [t for t in svg.findall("s:text", ns) if t.get("text-anchor") == "end"]
    widest = max(len(t.text) for t in ticks)
    assert widest == len(str(nice_ceiling(peak)))
    # Right-aligned at x: the label's ~7 px digits must fit between 0 and x.
    assert all(float(t.get("x")) >= 7 * len(t.text) for t in ticks)
