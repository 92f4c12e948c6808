// The map page: wires the basemap, the catalogue's layers, the area drill-down, the click
// lookup and the colouring to one state object, which the URL hash keeps (state.js).

import { getJSON } from "./api.js";
import { AreaNavigator } from "./areas.js";
import { addBasemap } from "./basemap.js";
import { Choropleth } from "./choropleth.js";
import { addControls } from "./controls.js";
import { gettext, interpolate } from "./i18n.js";
import { h } from "./dom.js";
import { createLayerController } from "./layers.js";
import { PlaceLookup } from "./lookup.js";
import { isRepublicanCity, PlaceSearch } from "./placesearch.js";
import { layerQuery, readHash, writeHash } from "./state.js";
import { LayerSwitcher } from "./switcher.js";

const STATUS_MS = 4000;
const config = JSON.parse(document.getElementById("map-config").textContent);
const state = readHash();
const linkedView = Boolean(state.view);
const statusElement = document.querySelector("[data-status]");
let statusTimer;

function showStatus(message, { error = false } = {}) {
  clearTimeout(statusTimer);
  statusElement.textContent = message;
  statusElement.classList.toggle("is-error", error);
  statusElement.hidden = false;
  statusTimer = setTimeout(() => { statusElement.hidden = true; }, error ? STATUS_MS * 2 : STATUS_MS);
}

function showError(error) {
  showStatus(interpolate(gettext("Something went wrong: %(error)s"), { error: error.message }, true), { error: true });
}

const map = L.map("map", {
  center: state.view ? [state.view.lat, state.view.lng] : config.center,
  zoom: state.view?.zoom ?? config.zoom,
  minZoom: config.minZoom,
  maxZoom: config.maxZoom,
  // Some room around the country for context, but no panning off to other continents.
  maxBounds: L.latLngBounds(config.extent).pad(0.6),
  maxBoundsViscosity: 0.8,
  zoomControl: false, // added translated by addControls
});
addControls(map);
addBasemap(map, config).catch(showError);
document.querySelector("[data-attribution]").textContent = config.attribution;

// --- panel (a drawer on narrow screens) and the language switch ---------------------------
const app = document.querySelector(".map-app");
const panelToggle = document.querySelector("[data-panel-toggle]");

function setPanelOpen(open) {
  app.classList.toggle("panel-open", open);
  panelToggle.setAttribute("aria-expanded", String(open));
}

panelToggle.addEventListener("click", () => setPanelOpen(!app.classList.contains("panel-open")));
document.querySelector("#sidebar").addEventListener("keydown", (event) => {
  if (event.key === "Escape" && app.classList.contains("panel-open")) {
    setPanelOpen(false);
    panelToggle.focus();
  }
});

// The view is in the hash, which the server never sees: pass it along in "next".
document.querySelector("[data-language-form]")?.addEventListener("submit", (event) => {
  const { pathname, search, hash } = window.location;
  event.target.elements.next.value = pathname + search + hash;
});

document.querySelector("[data-copy-link]").addEventListener("click", async () => {
  try {
    await navigator.clipboard.writeText(window.location.href);
    showStatus(gettext("The link to this view is copied."));
  } catch {
    showStatus(window.location.href);
  }
});

// --- layers from the catalogue ------------------------------------------------------------
const catalogue = (await getJSON(config.urls.catalogue).catch((error) => {
  showError(error);
  return { layers: [] };
})).layers;
const entries = new Map(catalogue.map((entry) => [entry.slug, entry]));
const areasEntry = entries.get(config.areasLayer);
state.layers = new Set(state.layers
  ? [...state.layers].filter((slug) => entries.has(slug))
  : catalogue.filter((entry) => entry.shown_by_default).map((entry) => entry.slug));
const controllers = new Map();
const queryOf = (slug) => layerQuery(state, slug, config.areasLayer);

function onNotice(entry, count, error) {
  if (error) showError(error);
  else showStatus(interpolate(gettext("%(layer)s: showing the first %(count)s features; zoom in to see all."),
    { layer: entry.title, count }, true));
}

function syncLayers() {
  catalogue.forEach((entry, index) => {
    let controller = controllers.get(entry.slug);
    if (state.layers.has(entry.slug)) {
      if (!controller) {
        controller = createLayerController(entry, {
          query: queryOf(entry.slug), zIndex: 10 + index, areasLayer: config.areasLayer, onNotice,
        });
        controllers.set(entry.slug, controller);
      }
      if (!map.hasLayer(controller.layer)) controller.layer.addTo(map);
    } else if (controller) {
      controller.layer.remove();
    }
  });
}

function requery(slugs) {
  for (const slug of slugs) controllers.get(slug)?.setQuery(queryOf(slug));
}

const switcher = new LayerSwitcher(document.querySelector("[data-layer-list]"), catalogue, {
  areasLayer: config.areasLayer,
  state,
  onToggle(slug, visible) {
    if (visible) state.layers.add(slug);
    else state.layers.delete(slug);
    syncLayers();
    save();
  },
  onFilter(slug, values) {
    if (Object.keys(values).length) state.filters[slug] = values;
    else delete state.filters[slug];
    requery([slug]);
    if (state.colour?.layer === slug) choropleth?.refresh().catch(showError);
    save();
  },
});

function save() {
  const center = map.getCenter();
  state.view = { zoom: map.getZoom(), lat: center.lat, lng: center.lng };
  writeHash(state);
  switcher.update(state, map.getZoom());
}

// --- colouring, drill-down, click lookup ---------------------------------------------------
const choropleth = areasEntry && new Choropleth(map, document.querySelector("[data-choropleth-form]"), {
  catalogue,
  areasEntry,
  query: queryOf,
  onChange(colour) {
    state.colour = colour;
    choropleth.apply(colour).catch(showError);
    save();
  },
});

const areaNavigator = new AreaNavigator(map, config, {
  breadcrumb: document.querySelector("[data-breadcrumb]"),
  summary: document.querySelector("[data-area-summary]"),
  list: document.querySelector("[data-area-list]"),
  listLabel: document.querySelector("[data-area-list-label]"),
  listNote: document.querySelector("[data-area-list-note]"),
  search: document.querySelector("[data-area-search]"),
}, {
  onSelect(kato, { byUser }) {
    // On a phone the drawer covers the map: show the area the user just chose. The permalink's
    // area, which arrives whenever its API answer does, leaves a drawer the user opened alone.
    if (byUser) setPanelOpen(false);
    if (kato === state.area) return;
    state.area = kato;
    requery(catalogue.map((entry) => entry.slug).filter((slug) => slug !== config.areasLayer));
    save();
  },
  onError: showError,
});

const settlementsEntry = entries.get(config.settlementsLayer);
if (settlementsEntry) {
  const found = L.popup({ autoPan: true });
  new PlaceSearch({
    form: document.querySelector("[data-place-search]"),
    input: document.querySelector("#place-search-input"),
    status: document.querySelector("[data-place-search-status]"),
    results: document.querySelector("[data-place-results]"),
  }, {
    listUrl: settlementsEntry.urls.geojson,
    async onChoose(feature) {
      const { properties } = feature;
      // Its district, or a city of republican significance itself (an oblast-level unit whose
      // code is its own): every layer then shows that home place.
      const area = isRepublicanCity(properties) ? properties.oblast : properties.district || properties.oblast;
      try {
        await areaNavigator.select(area, { fit: false, byUser: true });
      } catch (error) {
        showError(error);
      }
      if (!feature.geometry) return;
      const [lng, lat] = feature.geometry.coordinates;
      map.setView([lat, lng], Math.max(map.getZoom(), 11));
      const page = config.urls.settlement.replace(config.katoPlaceholder, properties.kato);
      found.setLatLng([lat, lng]).setContent(h("a", { href: page }, properties.name)).openOn(map);
    },
    onError: showError,
  });
}

new PlaceLookup(map, config, {
  layers: () => catalogue.filter((entry) => state.layers.has(entry.slug) && entry.slug !== config.areasLayer),
  query: queryOf,
  selectArea: (kato) => areaNavigator.choose(kato),
  colourValue: (place) => choropleth?.valueAt(place) ?? null,
});

syncLayers();
map.on("moveend", save);
// A pasted permalink that differs only in its hash does not reload the page: restart from it.
// (writeHash uses replaceState, which fires no hashchange.)
window.addEventListener("hashchange", () => window.location.reload());
save();
// A permalink's own view wins over zooming to its area.
areaNavigator.select(state.area, { fit: !linkedView && Boolean(state.area) }).catch((error) => {
  showError(error);
  areaNavigator.select(null, { fit: false }).catch(showError);
});
choropleth?.apply(state.colour).catch(showError);
