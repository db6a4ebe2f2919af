from django.urls import path

from huimin.insurance.catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.catalog_list, name="catalog_list"),
    path("search/", views.search_fragment, name="search"),
    path("import/", views.import_view, name="import"),
    path("mappings/", views.mapping_list, name="mapping_list"),
    path("mappings/new/", views.mapping_submit, name="mapping_submit"),
    path("mappings/<int:pk>/review/", views.mapping_review, name="mapping_review"),
    path("items/<str:code>/", views.item_detail, name="item_detail"),
]
