// The map's shareable state and its permalink. It lives in the URL hash (never sent to the
// server, no reload on change), e.g.
//   #map=7/43.25000/76.90000&layers=areas,settlements&area=751000000
//    &f.settlements.min_population=1000&colour=settlements.population.district

const FILTER_PREFIX = "f.";

function emptyState() {
  return {
    view: null, // {zoom, lat, lng}
    layers: null, // Set of visible layer slugs; null: the catalogue's defaults
    area: null, // KATO code of the selected area
    filters: {}, // slug -> {filter name -> string | string[]}
    colour: null, // {layer, measure, level}
  };
}

export function readHash(hash = window.location.hash) {
  const state = emptyState();
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const view = (params.get("map") || "").split("/").map(Number);
  if (view.length === 3 && view.every(Number.isFinite)) {
    state.view = { zoom: view[0], lat: view[1], lng: view[2] };
  }
  if (params.has("layers")) {
    state.layers = new Set(params.get("layers").split(",").filter(Boolean));
  }
  if (/^\d{9}$/.test(params.get("area") || "")) state.area = params.get("area");
  for (const key of new Set(params.keys())) {
    if (!key.startsWith(FILTER_PREFIX)) continue;
    const [slug, ...rest] = key.slice(FILTER_PREFIX.length).split(".");
    const name = rest.join(".");
    if (!slug || !name) continue;
    const values = params.getAll(key);
    state.filters[slug] ??= {};
    state.filters[slug][name] = values.length > 1 ? values : values[0];
  }
  const [layer, measure, level] = (params.get("colour") || "").split(".");
  if (layer && measure && level) state.colour = { layer, measure, level };
  return state;
}

export function writeHash(state) {
  const params = new URLSearchParams();
  if (state.view) {
    const { zoom, lat, lng } = state.view;
    params.set("map", `${zoom}/${lat.toFixed(5)}/${lng.toFixed(5)}`);
  }
  if (state.layers) params.set("layers", [...state.layers].join(","));
  if (state.area) params.set("area", state.area);
  for (const [slug, values] of Object.entries(state.filters)) {
    for (const [name, value] of Object.entries(values)) {
      for (const item of [].concat(value)) params.append(`${FILTER_PREFIX}${slug}.${name}`, item);
    }
  }
  if (state.colour) {
    const { layer, measure, level } = state.colour;
    params.set("colour", `${layer}.${measure}.${level}`);
  }
  // replaceState: panning must not fill the back-button history.
  // "/" and "," need no escaping in a fragment; kept literal, the link stays readable.
  const text = params.toString().replaceAll("%2F", "/").replaceAll("%2C", ",");
  window.history.replaceState(null, "", `#${text}`);
}

/** Query parameters of a layer's data requests: its filters, and the selected area for
 *  every layer but the administrative outlines (which always show the whole country). */
export function layerQuery(state, slug, areasLayer) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(state.filters[slug] || {})) {
    for (const item of [].concat(value)) if (item !== "") params.append(name, item);
  }
  if (state.area && slug !== areasLayer) params.set("area", state.area);
  return params;
}
