"""The act categories every cabinet starts with (the data migration has its own frozen copy)."""

from __future__ import annotations

DEFAULT_CATEGORIES = [
    # code, name, is_delegable
    ("correspondance-courante", "Correspondance courante", True),
    ("notes-verbales", "Notes verbales", True),
    ("ordres-de-mission", "Ordres de mission", True),
    ("attestations", "Attestations", True),
    ("personnel-cabinet", "Actes de gestion du personnel du cabinet", True),
    ("traites-accords", "Traités et accords", False),
    ("arretes", "Arrêtés", False),
    ("decrets", "Décrets", False),
]


def act_categories_ensure() -> dict:
    """Create the default categories that are missing (an edited one is left as it is);
    returns every category by code."""
    from .models import ActCategory

    for code, name, delegable in DEFAULT_CATEGORIES:
        ActCategory.objects.get_or_create(code=code, defaults={"name": name, "is_delegable": delegable})
    return {c.code: c for c in ActCategory.objects.all()}
