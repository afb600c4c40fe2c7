from alertrelay.bot.core.matching import IncidentView, Sighting, choose_incident
from alertrelay.bot.core.models import Policy

POLICY = Policy()
LAKE_BLOOMINGTON = (44.94837, -93.25251)
LAKE_18TH = (44.948369, -93.248687)   # ~300 m east


def incident(id_: str, lat: float, lon: float, *, state: str = "pending", at: float = 0.0, precision: str = "point",
             area: str | None = None, place: str = "somewhere") -> IncidentView:
    return IncidentView(id=id_, lat=lat, lon=lon, precision=precision, place=place, area_name=area, state=state,
                        last_report_at=at)


def sighting(lat: float, lon: float, at: float, *, precision: str = "point", area: str | None = None,
             place: str = "elsewhere") -> Sighting:
    return Sighting(lat=lat, lon=lon, precision=precision, place=place, area_name=area, at=at)


def never(name: str, lat: float, lon: float) -> bool:
    return False


def test_near_and_recent_matches() -> None:
    inc = incident("i1", *LAKE_BLOOMINGTON, at=0)
    assert choose_incident(sighting(*LAKE_18TH, at=600), [inc], POLICY, never) == inc


def test_outside_the_window_is_a_new_incident() -> None:
    inc = incident("i1", *LAKE_BLOOMINGTON, at=0)
    assert choose_incident(sighting(*LAKE_18TH, at=46 * 60), [inc], POLICY, never) is None


def test_a_verified_incident_stays_open_beyond_the_window() -> None:
    inc = incident("i1", *LAKE_BLOOMINGTON, at=0, state="verified")
    assert choose_incident(sighting(*LAKE_18TH, at=80 * 60), [inc], POLICY, never) == inc


def test_too_far_is_a_new_incident() -> None:
    inc = incident("i1", *LAKE_BLOOMINGTON, at=0)
    assert choose_incident(sighting(44.9395, -93.2524, at=60), [inc], POLICY, never) is None  # 35th St, ~1 km


def test_closed_incidents_never_match() -> None:
    for state in ("cleared", "expired", "closed", "retracted"):
        inc = incident("i1", *LAKE_BLOOMINGTON, at=0, state=state)
        assert choose_incident(sighting(*LAKE_BLOOMINGTON, at=60), [inc], POLICY, never) is None


def test_the_nearest_of_two_wins() -> None:
    far = incident("far", *LAKE_18TH, at=0)
    near = incident("near", *LAKE_BLOOMINGTON, at=0)
    assert choose_incident(sighting(*LAKE_BLOOMINGTON, at=60), [far, near], POLICY, never) == near


def test_a_point_inside_an_area_incident_matches_it() -> None:
    inc = incident("i1", 44.9565, -93.2480, at=0, precision="area", area="East Phillips")
    inside = lambda name, lat, lon: name == "East Phillips"  # noqa: E731
    assert choose_incident(sighting(44.9555, -93.2479, at=120), [inc], POLICY, inside) == inc
    assert choose_incident(sighting(44.9555, -93.2479, at=120), [inc], POLICY, never) is None


def test_an_area_report_matches_a_point_incident_inside_it() -> None:
    inc = incident("i1", 44.9555, -93.2479, at=0)
    inside = lambda name, lat, lon: name == "East Phillips"  # noqa: E731
    s = sighting(44.9565, -93.2480, at=60, precision="area", area="East Phillips")
    assert choose_incident(s, [inc], POLICY, inside) == inc


def test_the_same_named_place_matches_even_when_far() -> None:
    inc = incident("i1", 44.8808, -93.2108, at=0, place="Whipple Federal Building")
    s = sighting(44.8942, -93.1949, at=60, place="Whipple Federal Building")
    assert choose_incident(s, [inc], POLICY, never) == inc
