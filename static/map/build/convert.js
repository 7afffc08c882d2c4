#!/usr/bin/env node
// convert.js turns world-atlas' countries-110m TopoJSON into the GeoJSON the
// dashboard registers with ECharts. It runs at build time only (never from
// tests or the server): see ../README.md for the command.
//
// Each feature's properties.name becomes its M49 code ("004"), because
// ECharts matches map data by that property and our data is keyed by M49;
// pages give display names through the series' nameMap. The three features
// Natural Earth leaves without an ISO code (Kosovo, N. Cyprus, Somaliland)
// keep their Natural Earth name so they are drawn but never match data.
// Coordinates are rounded to 0.01° to keep the file small; at 110m scale
// that is below a pixel on any screen we target.
"use strict";

const fs = require("fs");
const path = require("path");
const topojson = require("topojson-client");

const src = process.argv[2] || require.resolve("world-atlas/countries-110m.json");
const dst = process.argv[3] || path.join(__dirname, "..", "world-110m.geo.json");

const topo = JSON.parse(fs.readFileSync(src, "utf8"));
const fc = topojson.feature(topo, topo.objects.countries);

const round = (x) => Math.round(x * 100) / 100;
function roundCoords(c) {
  return typeof c[0] === "number" ? [round(c[0]), round(c[1])] : c.map(roundCoords);
}

const features = fc.features.map((f) => ({
  type: "Feature",
  properties: { name: f.id ? String(f.id).padStart(3, "0") : f.properties.name },
  geometry: { type: f.geometry.type, coordinates: roundCoords(f.geometry.coordinates) },
}));
features.sort((a, b) => (a.properties.name < b.properties.name ? -1 : 1));

fs.writeFileSync(dst, JSON.stringify({ type: "FeatureCollection", features }) + "\n");
console.log(`wrote ${features.length} features to ${dst}`);
