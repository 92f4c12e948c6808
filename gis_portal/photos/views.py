"""Photo files served by the portal (a deployment may serve MEDIA_ROOT from its proxy)."""

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404
from django.views.decorators.http import require_safe

from .models import Photo


@require_safe
def serve_photo(request, path: str):
    """A visible photo or thumbnail; hidden photos and unknown names are 404."""
    name = f"photos/{path}"
    photo = (Photo.objects.filter(image=name).first()
             or Photo.objects.filter(thumbnail=name).first())
    if photo is None or photo.is_hidden:
        raise Http404("no such photo")
    file_path = Path(settings.MEDIA_ROOT) / name
    if not file_path.is_file():
        raise Http404("no such photo")
    response = FileResponse(open(file_path, "rb"), content_type="image/jpeg")
    # File names are random and never reused: the content behind a name never changes.
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    return response
