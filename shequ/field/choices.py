"""The field app's role actions and the Binjiang checklists (四必联、四必掌握)."""

from django.utils.translation import gettext_lazy as _


class Action:
    """The app's role actions (granted in ``apps.py``)."""

    VIEW = "field.view"  # visits, coverage, work logs, proposals of an area
    VISIT = "field.visit"  # record visits and propose ledger changes (grid workers, building teams)
    APPROVE = "field.approve"  # decide ledger change proposals (community workers)
    INSTRUCT = "field.instruct"  # instructions, work-log comments, outpost schedules
    OUTPOST = "field.outpost"  # record what was handled at an outpost


# 四必联: the must-contact checklist.
MUST_CONTACT = [
    ("epidemic", _("疫情防控")),
    ("home_visit", _("入户走访")),
    ("empty_nest_left_behind", _("空巢留守")),
    ("neighbour_dispute", _("邻里纠纷")),
]
# 四必掌握: the must-know checklist.
MUST_KNOW = [
    ("party_members", _("党员情况")),
    ("floating_population", _("流动人口")),
    ("rented_housing", _("出租房屋")),
    ("weddings_funerals", _("婚丧嫁娶")),
]
MUST_CONTACT_CODES = [code for code, _label in MUST_CONTACT]
MUST_KNOW_CODES = [code for code, _label in MUST_KNOW]
