"""One importer class per source; see base.Importer for the contract."""

from .boundaries import GENERATIONS, BoundaryImporter, GenerationSpec
from .fallbacks import SettlementPlacer
from .kato import KatoImporter
from .okrugs import OkrugDeriver
from .settlements import SettlementImporter

__all__ = ["GENERATIONS", "BoundaryImporter", "GenerationSpec", "KatoImporter", "OkrugDeriver",
           "SettlementImporter", "SettlementPlacer"]
