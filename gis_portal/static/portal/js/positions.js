// How exact a settlement's point is. Settlements carry position_source and
// position_precision_m (in their tiles and GeoJSON): a point found on OpenStreetMap or GeoNames
// or set by akimat staff marks the place; one placed at its rural okrug's centre or in its
// district only stands for the area and is drawn and described as approximate.

import { formatNumber, gettext, interpolate } from "./i18n.js";

const APPROXIMATE_SOURCES = new Set(["okrug_centre", "district"]);

// Hollow, dashed and purple against the filled orange of placed settlements: told apart by
// shape as well as colour.
export const APPROXIMATE_POINT_STYLE = {
  color: "#7b3294",
  fillColor: "#ffffff",
  fillOpacity: 0.35,
  dashArray: "3 2",
};

export function isApproximatePosition(properties) {
  // Layers without a position source (monuments, natural sites) flag it as `approximate`.
  return APPROXIMATE_SOURCES.has(properties?.position_source) || properties?.approximate === true;
}

export function formatPrecision(metres) {
  if (metres === null || metres === undefined || metres === "") return "";
  const value = Number(metres);
  return value >= 1000
    ? interpolate(gettext("±%(distance)s km"), { distance: formatNumber(value / 1000) }, true)
    : interpolate(gettext("±%(distance)s m"), { distance: formatNumber(value) }, true);
}

function sourceLabel(source) {
  const labels = {
    osm: gettext("from OpenStreetMap"),
    geonames: gettext("from GeoNames"),
    okrug_centre: gettext("approximate: placed at the rural okrug centre"),
    district: gettext("approximate: placed in its okrug or district, not at the village itself"),
    staff: gettext("set by akimat staff"),
  };
  return labels[source] || source;
}

/** E.g. "approximate: placed at the rural okrug centre, ±5 km". */
export function describePosition(properties) {
  const source = sourceLabel(properties.position_source);
  const precision = formatPrecision(properties.position_precision_m);
  return precision ? `${source}, ${precision}` : source;
}
