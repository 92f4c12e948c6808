// Translations come from Django's JavaScriptCatalog (/jsi18n/, loaded before the modules); the
// active language is the page's, so the API (same cookie, same LocaleMiddleware) agrees with it.
const catalogue = window.django || {};

export const gettext = catalogue.gettext || ((text) => text);
export const interpolate = catalogue.interpolate || ((format, values) => format);
export const language = document.documentElement.lang || "kk";

// Browsers' Kazakh number data is often missing (Chromium falls back to "1,234.5"); Kazakhstan
// writes numbers like Russian does ("1 234,5"), so Kazakh pages borrow the Russian rules.
const numbers = new Intl.NumberFormat(language === "kk" ? "ru-KZ" : language, { maximumFractionDigits: 1 });

export function formatNumber(value) {
  return value === null || value === undefined ? "—" : numbers.format(value);
}

/** An API name object {kk, ru, en} in the page's language, falling back to Kazakh, then Russian. */
export function localName(names) {
  if (!names) return "";
  return names[language] || names.kk || names.ru || "";
}

export function levelLabel(level) {
  const labels = {
    oblast: gettext("oblast"),
    district: gettext("district"),
    okrug: gettext("rural okrug"),
  };
  return labels[level] || level;
}

/** Plural level names, for list headings and the colouring's level choice. */
export function levelPluralLabel(level) {
  const labels = {
    oblast: gettext("Oblasts"),
    district: gettext("Districts"),
    okrug: gettext("Rural okrugs"),
  };
  return labels[level] || level;
}
