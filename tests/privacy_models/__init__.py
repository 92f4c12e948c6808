"""Models used only by tests/privacy: installed by gis_portal.settings.test, never in a real
deployment."""
