"""Addresses of the topology pages that need every layer (interfaces.md "Pages")."""

from django.urls import path

from . import diagram_views, matrix_views, run_views, tool_views
from . import topology_pages as views

one = "t/<str:team>/<str:topology>/"
urlpatterns = [
    path("", views.topology_list, name="topology-list"),
    path("topologies/new/", views.topology_create, name="topology-create"),
    path(one, views.topology_summary, name="topology-summary"),
    path(one + "import/", views.topology_import, name="topology-import"),
    path(one + "export/", views.topology_export, name="topology-export"),
    path(one + "settings/", views.topology_settings, name="topology-settings"),
    path(one + "clone/", views.topology_clone, name="topology-clone"),
    path(one + "delete/", views.topology_delete, name="topology-delete"),
    path(one + "matrices/<str:kind>/", matrix_views.matrix_page, name="matrix-page"),
    path(one + "matrices/<str:kind>/rows/", matrix_views.matrix_rows, name="matrix-rows"),
    path(one + "matrices/<str:kind>/members/", matrix_views.matrix_members, name="matrix-members"),
    path(one + "matrices/<str:kind>/cell/", matrix_views.matrix_cell, name="matrix-cell"),
    path(one + "tools/", tool_views.tools_index, name="tools"),
    path(one + "tools/_pick/", tool_views.tool_pick, name="tool-pick"),
    path(one + "tools/<str:tool>/", tool_views.tool_page, name="tool"),
    path(one + "diagram/", diagram_views.diagram_page, name="diagram"),
    path(one + "diagram/graph.json", diagram_views.diagram_graph, name="diagram-graph"),
    path(one + "diagram/reach.json", diagram_views.diagram_reach, name="diagram-reach"),
    path(one + "runs/", run_views.run_list, name="run-list"),
    path(one + "runs/<int:run>/", run_views.run_detail, name="run-detail"),
    path(one + "runs/<int:run>/progress/", run_views.run_progress, name="run-progress"),
    path(one + "runs/<int:run>/cancel/", run_views.run_cancel, name="run-cancel"),
    path(one + "runs/<int:a>/diff/<int:b>/", run_views.run_diff_page, name="run-diff"),
]
