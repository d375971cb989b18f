"""Route table rows of the statistics (``shequ.dashboard``): every route
takes an optional ``area`` in the query; the in-scope street's staff (or
community worker) sees it, the other street's (community's) gets 404."""

from tests.security.specs import Scoped, Target

PAIRS = (("street_staff", "street_staff_b"), ("community_worker", "community_worker_b"))


def _community(w) -> Target:
    community = w.city.communities["A1"]
    return Target({}, {"area": community.pk}, secret=community.name)


ROUTES = {
    "dashboard:stats": Scoped(PAIRS, _community),
    "dashboard:export": Scoped(PAIRS, _community),
    "api:dashboard_stats": Scoped(PAIRS, _community),
}
