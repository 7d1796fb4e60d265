"""logic/helpers.py: template helpers (vocabulary choices and labels, engagement rows, initiative links)."""
import pytest

from ..record.test_inherit import round_dataset, setup  # noqa: F401

pytestmark = pytest.mark.usefixtures("clean_db")


def test_pages_link_initiative_and_datasets(app, setup):
    round_dataset(setup, "round-2023")
    series_page = app.get("/dataset_series/ghana-pss-app").body
    assert "Datasets of this initiative" in series_page and "/dataset/round-2023" in series_page
    dataset_page = app.get("/dataset/round-2023").body
    assert "/dataset_series/ghana-pss-app" in dataset_page
    assert "Taken from the initiative" in dataset_page
