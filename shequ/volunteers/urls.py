from django.urls import path

from shequ.volunteers.views import editing, forces, me, staff

app_name = "volunteers"

urlpatterns = [
    # The volunteer's and party member's own pages (phone first).
    path("me/", me.me, name="me"),
    path("join/", me.join, name="join"),
    path("me/profile/", me.profile, name="profile"),
    path("me/card/", me.card, name="card"),
    path("a/<int:pk>/", me.activity, name="activity"),
    path("a/<int:pk>/signup/", me.signup, name="signup"),
    path("a/<int:pk>/cancel/", me.signup_cancel, name="signup_cancel"),
    path("checkin/", me.checkin, name="checkin"),
    path("rewards/<int:pk>/redeem/", me.redeem, name="redeem"),
    path("me/redemptions/<int:pk>/cancel/", me.redemption_cancel, name="redemption_cancel"),
    path("board/", me.board, name="board"),
    path("verify/", me.verify, name="verify"),
    # The community's screens.
    path("", staff.dashboard, name="dashboard"),
    path("export/", staff.roster_export, name="roster_export"),
    path("new/", staff.volunteer_new, name="volunteer_new"),
    path("party/", staff.party, name="party"),
    path("party/export/", staff.duty_export, name="duty_export"),
    path("party/<int:pk>/confirm/", staff.party_confirm, name="party_confirm"),
    path("activities/", staff.activities, name="activities"),
    path("activities/new/", staff.activity_new, name="activity_new"),
    path("activities/<int:pk>/", staff.activity_manage, name="activity_manage"),
    path("activities/<int:pk>/cancel/", staff.activity_cancel, name="activity_cancel"),
    path("signups/<int:pk>/attendance/", staff.attendance, name="attendance"),
    path("records/<int:pk>/confirm/", staff.record_confirm, name="record_confirm"),
    path("records/<int:pk>/correct/", staff.record_correct, name="record_correct"),
    path("hours/", staff.hours, name="hours"),
    path("hours/export/", staff.hours_export, name="hours_export"),
    path("rewards/", staff.rewards, name="rewards"),
    path("redemptions/<int:pk>/hand-over/", staff.hand_over, name="hand_over"),
    path("rules/", forces.rules, name="rules"),
    path("forces/<int:pk>/", forces.forces, name="forces"),
    path("forces/<int:pk>/add/<slug:kind>/", forces.forces_add, name="forces_add"),
    # Changing the forces after they were set up.
    path("groups/<int:pk>/", editing.group_edit, name="group_edit"),
    path("groups/<int:pk>/members/add/", editing.group_member_add, name="group_member_add"),
    path(
        "groups/<int:pk>/members/<int:volunteer_pk>/remove/",
        editing.group_member_remove,
        name="group_member_remove",
    ),
    path("groups/<int:pk>/deactivate/", editing.group_deactivate, name="group_deactivate"),
    path("people/<int:pk>/", editing.volunteer_edit, name="volunteer_edit"),
    path("people/<int:pk>/deactivate/", editing.volunteer_deactivate, name="volunteer_deactivate"),
    path("posts/<int:pk>/", editing.post_edit, name="post_edit"),
    path("posts/<int:pk>/end/", editing.post_end, name="post_end"),
]
