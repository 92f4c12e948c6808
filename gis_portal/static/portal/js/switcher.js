// The layer switcher: one row per catalogue entry with its legend swatch, description, the
// zoom it appears at, its filter form and export links for what is on the map.

import { withQuery } from "./api.js";
import { h, replaceChildren } from "./dom.js";
import { buildFilterForm } from "./filters.js";
import { gettext, interpolate, levelLabel } from "./i18n.js";
import { APPROXIMATE_POINT_STYLE } from "./positions.js";
import { layerQuery } from "./state.js";

const EXPORT_LABELS = { csv: "CSV", geojson: "GeoJSON", gpkg: "GeoPackage" };

function swatch(entry) {
  const style = entry.style || {};
  const kind = ["point", "line", "polygon"].includes(entry.geometry) ? entry.geometry : "point";
  return h("span", {
    class: `swatch swatch-${kind}`,
    "aria-hidden": "true",
    style: {
      borderColor: style.color,
      backgroundColor: kind === "line" ? "transparent" : style.fillColor || style.color,
    },
  });
}

/** The outline legend of the administrative layer: official and approximate boundaries. */
function areaLegend(entry) {
  const color = entry.style?.color;
  const row = (label, className) => h("li", {},
    h("span", { class: className, "aria-hidden": "true", style: { borderTopColor: color } }), label);
  return h("ul", { class: "area-legend" },
    row(levelLabel("oblast"), "line"),
    row(levelLabel("district"), "line"),
    row(interpolate(gettext("%(level)s (approximate boundary)"),
      { level: levelLabel("okrug") }, true), "line line-dashed"));
}

/** The point legend of a layer whose points say how exact they are (position_source):
 *  placed points, and approximate ones drawn hollow and dashed. */
function positionLegend(entry) {
  const style = entry.style || {};
  const row = (label, colours) => h("li", {},
    h("span", { class: "dot", "aria-hidden": "true", style: colours }), label);
  return h("ul", { class: "area-legend position-legend" },
    row(gettext("placed where it is known (OpenStreetMap, GeoNames, akimat staff)"),
      { borderColor: style.color, backgroundColor: style.fillColor || style.color }),
    row(gettext("approximate position: at the rural okrug centre or in the district"),
      { borderColor: APPROXIMATE_POINT_STYLE.color, backgroundColor: "transparent", borderStyle: "dashed" }));
}

function activeCount(filters) {
  return Object.keys(filters || {}).length;
}

export class LayerSwitcher {
  /**
   * onToggle(slug, visible) and onFilter(slug, values) report the user's changes; the caller
   * owns the state and calls update() after applying them.
   */
  constructor(container, catalogue, { areasLayer, state, onToggle, onFilter }) {
    this.container = container;
    this.catalogue = catalogue;
    this.areasLayer = areasLayer;
    this.rows = new Map();
    replaceChildren(container, catalogue.map((entry) => this.row(entry, state, onToggle, onFilter)));
  }

  row(entry, state, onToggle, onFilter) {
    const id = `layer-${entry.slug}`;
    const checkbox = h("input", {
      type: "checkbox", id, checked: state.layers.has(entry.slug),
      "aria-describedby": `${id}-description`,
      on: { change: () => onToggle(entry.slug, checkbox.checked) },
    });
    const zoomHint = h("p", { class: "zoom-hint", hidden: true },
      interpolate(gettext("Zoom in to see this layer (from zoom %(zoom)s)."), { zoom: entry.min_zoom }, true));
    const summary = h("summary", {});
    const exports = h("p", { class: "exports" });
    const filters = entry.filters.length
      ? h("details", { class: "layer-filters" }, summary,
        buildFilterForm(entry, state.filters[entry.slug] || {}, (values) => onFilter(entry.slug, values)),
        exports)
      : h("details", { class: "layer-filters" }, summary, exports);
    this.rows.set(entry.slug, { entry, checkbox, zoomHint, summary, exports });
    return h("li", { class: "layer-item" },
      h("label", { class: "layer-toggle", for: id }, checkbox, swatch(entry), entry.title),
      h("p", { class: "layer-description", id: `${id}-description` }, entry.description),
      entry.slug === this.areasLayer ? areaLegend(entry) : null,
      entry.tile_fields.includes("position_source") ? positionLegend(entry) : null,
      zoomHint,
      filters);
  }

  /** Reflects the state and the zoom: checkboxes, zoom hints, filter counts, export links. */
  update(state, zoom) {
    for (const { entry, checkbox, zoomHint, summary, exports } of this.rows.values()) {
      const visible = state.layers.has(entry.slug);
      checkbox.checked = visible;
      zoomHint.hidden = !(visible && zoom < entry.min_zoom);
      const count = activeCount(state.filters[entry.slug]);
      summary.textContent = entry.filters.length
        ? (count ? interpolate(gettext("Filters and download (%(count)s active)"), { count }, true)
          : gettext("Filters and download"))
        : gettext("Download");
      const query = layerQuery(state, entry.slug, this.areasLayer);
      replaceChildren(exports, gettext("Download what is selected:"), " ",
        Object.entries(entry.urls.export || {}).map(([format, url]) =>
          h("a", { href: withQuery(url, query), download: "" }, EXPORT_LABELS[format] || format)));
    }
  }
}
