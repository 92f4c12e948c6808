// Area drill-down: Kazakhstan › oblast › district › rural okrug. The panel lists the children
// of the selected area; choosing one zooms to it, outlines it and narrows the data layers to
// it (area=<KATO>). Names, levels and the approximate flag all come from /api/areas/.

import { getJSON, withQuery } from "./api.js";
import { h, replaceChildren } from "./dom.js";
import { formatNumber, gettext, interpolate, language, levelLabel, levelPluralLabel, localName } from "./i18n.js";

const SELECTION_STYLE = { color: "#d98c00", weight: 3, opacity: 1, fill: true, fillColor: "#fec50c", fillOpacity: 0.08 };
const APPROXIMATE_SELECTION_STYLE = { ...SELECTION_STYLE, dashArray: "6 4" };

const CHILD_LEVEL = { oblast: "district", district: "okrug" };

function byName(a, b) {
  return localName(a.name).localeCompare(localName(b.name), language);
}

function approximateBadge() {
  return h("span", { class: "badge", title: gettext("Derived from the okrug's settlements, not an official boundary.") },
    gettext("approximate"));
}

export class AreaNavigator {
  /** onSelect(kato | null, { byUser }) runs after every selection, the user's (byUser) or a
   *  permalink's; onError(error) reports a selection the user made that failed to load. */
  constructor(map, config, elements, { onSelect, onError }) {
    this.map = map;
    this.config = config;
    this.el = elements; // {breadcrumb, summary, list, listLabel, listNote, search}
    this.onSelect = onSelect;
    this.onError = onError;
    this.current = null; // the selected area's detail, null for the whole country
    this.children = [];
    this.outline = L.geoJSON(null, { interactive: false }).addTo(map);
    this.request = 0;
    this.el.search.addEventListener("input", () => this.renderList());
  }

  detailUrl(kato) {
    return this.config.urls.areaDetail.replace(this.config.katoPlaceholder, kato);
  }

  /** The panel's buttons: select, and report a failure instead of dropping it. */
  choose(kato) {
    this.select(kato, { byUser: true }).catch(this.onError);
  }

  /** Selects an area (null: the whole country). fit: zoom the map to it; byUser: the user
   *  chose it (not the permalink the page opened with). */
  async select(kato, { fit = true, byUser = false } = {}) {
    const request = ++this.request; // a later click wins over a slow earlier answer
    if (!kato) {
      const body = await getJSON(withQuery(this.config.urls.areas, { level: "oblast" }));
      if (request !== this.request) return;
      this.current = null;
      this.children = body.areas;
      this.outline.clearLayers();
      if (fit) this.map.fitBounds(this.config.extent);
    } else {
      const detail = await getJSON(this.detailUrl(kato));
      if (request !== this.request) return;
      this.current = detail;
      this.children = detail.children;
      this.drawOutline(detail, fit);
    }
    this.el.search.value = "";
    this.render();
    this.onSelect(this.current?.kato ?? null, { byUser });
  }

  drawOutline(detail, fit) {
    this.outline.clearLayers();
    if (!detail.geometry) return;
    this.outline.options.style = detail.approximate ? APPROXIMATE_SELECTION_STYLE : SELECTION_STYLE;
    this.outline.addData(detail.geometry);
    if (fit) this.map.fitBounds(this.outline.getBounds(), { padding: [24, 24] });
  }

  render() {
    this.renderBreadcrumb();
    this.renderSummary();
    this.renderList();
  }

  crumb(label, kato, current) {
    if (current) return h("li", {}, h("span", { "aria-current": "location" }, label));
    return h("li", {}, h("button", {
      type: "button", class: "link-button", on: { click: () => this.choose(kato) },
    }, label));
  }

  renderBreadcrumb() {
    const area = this.current;
    const crumbs = [this.crumb(gettext("Kazakhstan"), null, !area)];
    if (area) {
      for (const ancestor of area.ancestors) crumbs.push(this.crumb(localName(ancestor.name), ancestor.kato, false));
      crumbs.push(this.crumb(localName(area.name), area.kato, true));
    }
    replaceChildren(this.el.breadcrumb, crumbs);
  }

  renderSummary() {
    const area = this.current;
    if (!area) {
      replaceChildren(this.el.summary);
      return;
    }
    const facts = [levelLabel(area.level), interpolate(gettext("KATO %(code)s"), { code: area.kato }, true)];
    if (area.area_km2) facts.push(interpolate(gettext("%(area)s km²"), { area: formatNumber(Math.round(area.area_km2)) }, true));
    replaceChildren(this.el.summary,
      h("h3", {}, localName(area.name), " ", area.approximate ? approximateBadge() : null),
      h("p", { class: "muted small" }, facts.join(" · ")),
      area.geometry_note ? h("p", { class: "small" }, area.geometry_note) : null,
      area.geometry ? null : h("p", { class: "small" }, gettext("This area has no boundary on the map.")),
      h("div", { class: "actions" },
        area.geometry ? h("button", {
          type: "button", class: "button button-secondary",
          on: { click: () => this.map.fitBounds(this.outline.getBounds(), { padding: [24, 24] }) },
        }, gettext("Zoom to area")) : null,
        h("button", {
          type: "button", class: "button button-secondary",
          on: { click: () => this.choose(area.ancestors.at(-1)?.kato ?? null) },
        }, gettext("Up one level"))));
  }

  childLevel() {
    return this.current ? CHILD_LEVEL[this.current.level] : "oblast";
  }

  renderList() {
    const level = this.childLevel();
    this.el.listLabel.textContent = level ? levelPluralLabel(level) : gettext("No smaller areas");
    this.el.search.hidden = !level || this.children.length < 8;
    // When every child is approximate (rural okrugs) one note says so instead of a badge each.
    const allApproximate = this.children.length > 0 && this.children.every((child) => child.approximate);
    this.el.listNote.textContent = allApproximate ? gettext("Rural okrug boundaries are approximate.") : "";
    const needle = this.el.search.value.trim().toLocaleLowerCase(language);
    const items = [...this.children]
      .sort(byName)
      .filter((child) => !needle || localName(child.name).toLocaleLowerCase(language).includes(needle))
      .map((child) => h("li", {}, h("button", {
        type: "button", on: { click: () => this.choose(child.kato) },
      },
      h("span", {}, localName(child.name), " ", child.approximate && !allApproximate ? approximateBadge() : null),
      h("span", { class: "chevron", "aria-hidden": "true" }, "›"))));
    if (!items.length) {
      const empty = level && this.children.length
        ? gettext("Nothing matches.")
        : gettext("There are no smaller areas here.");
      items.push(h("li", { class: "muted" }, empty));
    }
    replaceChildren(this.el.list, items);
  }
}
