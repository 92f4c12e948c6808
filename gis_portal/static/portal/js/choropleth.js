// Colours the areas of one level (oblasts, districts, rural okrugs) by a per-area statistic of
// a layer from /api/layers/<slug>/stats: its feature count or a summed property such as the
// settlements' known population. The statistic follows the layer's filters but not the
// selected area, so the colours stay comparable across the whole country.

import { getJSON, isAbort, tilesInPageLanguage, withQuery } from "./api.js";
import { h, replaceChildren } from "./dom.js";
import { formatNumber, gettext, interpolate, levelPluralLabel } from "./i18n.js";

// Sequential blue-green ramp (ColorBrewer GnBu 5): distinct from the orange settlements.
const RAMP = ["#f0f9e8", "#bae4bc", "#7bccc4", "#43a2ca", "#0868ac"];
const NO_DATA = "#cfd4d8";
const DEFAULT_LEVEL = "district";

/** Class breaks: the upper bounds of up to RAMP.length quantile classes. */
function quantileBreaks(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const breaks = [];
  for (let i = 1; i <= RAMP.length; i++) {
    const value = sorted[Math.min(sorted.length - 1, Math.ceil((i * sorted.length) / RAMP.length) - 1)];
    if (breaks.at(-1) !== value) breaks.push(value);
  }
  return breaks;
}

function byLevelLabel(level) {
  const labels = {
    oblast: gettext("by oblast"),
    district: gettext("by district"),
    okrug: gettext("by rural okrug"),
  };
  return labels[level] || level;
}

function measureLabel(entry, measure) {
  if (measure === "count") {
    return interpolate(gettext("%(layer)s: number"), { layer: entry.title }, true);
  }
  const field = entry.fields.find((candidate) => candidate.name === measure);
  return interpolate(gettext("%(layer)s: %(measure)s"), { layer: entry.title, measure: field?.label || measure }, true);
}

export class Choropleth {
  /** query(slug): the layer's data parameters; onChange(colour | null) reports user choices. */
  constructor(map, form, { catalogue, areasEntry, query, onChange }) {
    this.map = map;
    this.form = form;
    this.entries = catalogue.filter((entry) => entry.slug !== areasEntry.slug && entry.stats);
    this.areasEntry = areasEntry;
    this.query = query;
    this.colour = null;
    this.values = new Map();
    this.breaks = [];
    this.tiles = null;
    this.controller = null;
    this.legend = L.control({ position: "bottomright" });
    this.legend.onAdd = () => h("div", { class: "map-legend", "aria-live": "polite" });

    for (const entry of this.entries) {
      for (const measure of entry.stats.measures) {
        form.measure.append(h("option", { value: `${entry.slug}.${measure}` }, measureLabel(entry, measure)));
      }
    }
    form.addEventListener("change", () => onChange(this.readForm()));
  }

  readForm() {
    const [layer, measure] = this.form.measure.value.split(".");
    if (!layer) return null;
    return { layer, measure, level: this.form.level.value || DEFAULT_LEVEL };
  }

  fillLevels(entry, level) {
    const levels = entry ? entry.stats.levels : [];
    replaceChildren(this.form.level, levels.map((value) =>
      h("option", { value, selected: value === level }, levelPluralLabel(value))));
    this.form.querySelector("[data-choropleth-level]").hidden = !entry;
  }

  /** Shows the colouring described by `colour` ({layer, measure, level}) or removes it. */
  async apply(colour) {
    const entry = colour && this.entries.find((candidate) => candidate.slug === colour.layer);
    const valid = entry && entry.stats.measures.includes(colour.measure) && entry.stats.levels.includes(colour.level);
    this.colour = valid ? colour : null;
    this.form.measure.value = valid ? `${colour.layer}.${colour.measure}` : "";
    this.fillLevels(entry, valid ? colour.level : DEFAULT_LEVEL);
    if (!valid) {
      this.tiles?.remove();
      this.tiles = null;
      this.legend.remove();
      return;
    }
    await this.refresh();
  }

  /** Refetches the statistic (after a filter change) and redraws. */
  async refresh() {
    if (!this.colour) return;
    const { layer, measure, level } = this.colour;
    this.controller?.abort();
    this.controller = new AbortController();
    const params = this.query(layer);
    params.delete("area"); // country-wide classes (see the top of this file)
    params.set("level", level);
    let body;
    try {
      body = await getJSON(withQuery(this.entries.find((e) => e.slug === layer).urls.stats, params),
        { signal: this.controller.signal });
    } catch (error) {
      if (isAbort(error)) return;
      throw error;
    }
    this.values = new Map(body.areas
      .filter((area) => area[measure] !== null && area[measure] !== undefined)
      .map((area) => [area.kato, area[measure]]));
    this.breaks = quantileBreaks(this.values.values());
    this.draw(level);
    this.renderLegend();
  }

  colourFor(value) {
    if (value === undefined) return NO_DATA;
    const index = this.breaks.findIndex((upper) => value <= upper);
    // Fewer classes than colours (many equal values): spread them over the ramp's darker end.
    return RAMP[RAMP.length - this.breaks.length + Math.max(index, 0)];
  }

  draw(level) {
    this.tiles?.remove();
    const entry = this.areasEntry;
    this.tiles = L.vectorGrid.protobuf(tilesInPageLanguage(entry.urls.tiles, { level }), {
      rendererFactory: L.canvas.tile,
      interactive: false,
      maxNativeZoom: entry.max_zoom,
      zIndex: 1, // under every outline and data layer
      vectorTileLayerStyles: {
        [entry.slug]: (properties) => {
          const value = this.values.get(properties.kato);
          return {
            fill: true,
            fillColor: this.colourFor(value),
            fillOpacity: value === undefined ? 0.45 : 0.8,
            color: "#ffffff",
            weight: 0.6,
            opacity: 0.9,
          };
        },
      },
    }).addTo(this.map);
  }

  renderLegend() {
    const { layer, measure, level } = this.colour;
    const entry = this.entries.find((candidate) => candidate.slug === layer);
    const rows = [];
    let lower = Math.min(...this.values.values());
    this.breaks.forEach((upper, index) => {
      const colour = RAMP[RAMP.length - this.breaks.length + index];
      const range = lower === upper ? formatNumber(upper) : `${formatNumber(lower)} – ${formatNumber(upper)}`;
      rows.push(h("li", {}, h("span", { class: "box", style: { backgroundColor: colour } }), range));
      lower = upper;
    });
    rows.push(h("li", {}, h("span", { class: "box", style: { backgroundColor: NO_DATA } }), gettext("no data")));
    this.legend.addTo(this.map);
    replaceChildren(this.legend.getContainer(),
      h("h3", {}, measureLabel(entry, measure)),
      h("p", {}, byLevelLabel(level)),
      h("ul", {}, rows),
      level === "okrug" ? h("p", {}, gettext("Rural okrug boundaries are approximate.")) : null);
  }

  /** The statistic at a looked-up place, for the click popup. */
  valueAt(place) {
    if (!this.colour) return null;
    const area = place[this.colour.level];
    const value = area && this.values.get(area.kato);
    if (value === undefined || value === null) return null;
    const entry = this.entries.find((candidate) => candidate.slug === this.colour.layer);
    return { label: measureLabel(entry, this.colour.measure), value };
  }
}
