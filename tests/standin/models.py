from django.contrib.gis.db import models

from layers.core.models import AreaTaggedModel


class StandInCase(AreaTaggedModel):
    """A person's request for help, as a private layer would hold it."""

    class Category(models.TextChoices):
        FOOD = "food", "food"
        MEDICINE = "medicine", "medicine"
        TRANSPORT = "transport", "transport"

    # Public
    category = models.CharField("category", max_length=16, choices=Category.choices)
    household_size = models.PositiveSmallIntegerField("household size")
    public_geom = models.PointField("approximate location", srid=4326, null=True)
    # Hidden
    published = models.BooleanField(default=False)
    hidden_name = models.CharField(max_length=64)
    hidden_amount = models.IntegerField()
    geom = models.PointField("exact location", srid=4326, null=True)
