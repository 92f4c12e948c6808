from django.urls import path, re_path

from . import api, views

app_name = "areas"

urlpatterns = [
    path("", api.AreaListView.as_view(), name="list"),
    path("lookup", api.area_lookup, name="lookup"),
    path("<str:kato>/", api.AreaDetailView.as_view(), name="detail"),
]

# The settlement pages (HTML, under /settlements/ in the project URLconf): a settlement's
# position, its correction by staff, residents' reports and the staff's report queue.
SETTLEMENT_KATO = r"(?P<kato>\d{9})"
settlement_page_patterns = ([
    path("reports/", views.ReportQueueView.as_view(), name="reports"),
    re_path(r"^reports/(?P<pk>\d+)/(?P<decision>accept|dismiss)$",
            views.ReportDecisionView.as_view(), name="decide"),
    re_path(rf"^{SETTLEMENT_KATO}/$", views.SettlementView.as_view(), name="detail"),
    re_path(rf"^{SETTLEMENT_KATO}/position$", views.SettlementMoveView.as_view(), name="move"),
    re_path(rf"^{SETTLEMENT_KATO}/reports$", views.SettlementReportView.as_view(),
            name="report"),
], "settlements")
