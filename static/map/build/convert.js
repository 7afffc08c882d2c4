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
// that is below a pixel on any screen we target. ECharts draws the map on a
// plane, so a ring that jumps across the antimeridian (Russia's Chukotka,
// Fiji) would streak across the whole map: such rings are unwrapped east
// of 180°. Antarctica (010) is left out: it has no migration data and
// takes a fifth of the map's height.
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

// unwrap shifts the western points of a ring that crosses the
// antimeridian by 360°, so the ring stays in one piece on a plane.
function unwrap(ring) {
  let crosses = false;
  for (let i = 1; i < ring.length; i++) {
    if (Math.abs(ring[i][0] - ring[i - 1][0]) > 180) crosses = true;
  }
  return crosses ? ring.map(([x, y]) => [x < 0 ? x + 360 : x, y]) : ring;
}
function unwrapGeometry(g) {
  if (g.type === "Polygon") return { type: g.type, coordinates: g.coordinates.map(unwrap) };
  return { type: g.type, coordinates: g.coordinates.map((poly) => poly.map(unwrap)) };
}

const features = fc.features
  .filter((f) => f.id !== "010")
  .map((f) => {
    const g = unwrapGeometry(f.geometry);
    return {
      type: "Feature",
      properties: { name: f.id ? String(f.id).padStart(3, "0") : f.properties.name },
      geometry: { type: g.type, coordinates: roundCoords(g.coordinates) },
    };
  });
features.sort((a, b) => (a.properties.name < b.properties.name ? -1 : 1));

fs.writeFileSync(dst, JSON.stringify({ type: "FeatureCollection", features }) + "\n");
console.log(`wrote ${features.length} features to ${dst}`);
