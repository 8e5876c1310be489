// tests/bench/support/org_csv.h
//
// A synthetic organisation tree as CSV (the format of cms/org/org_import.h: `id,parent_id,
// name,level`) for benchmarks that need the real tree's size: 1 province, `cities` cities,
// `countiesPerCity` counties each, and grassroots unions spread evenly (round robin) under the
// counties until `rows` rows in all. Ids: province 1, cities 2.., counties after, unions after,
// so the last id is `rows`. `unionPrefix` names the unions (another prefix makes a re-import
// change every union). `firstUnionId(shape)`..`rows` are the grassroots ids (no children): the
// organisations members and challenge entries hang under.
#pragma once

#include <cstdint>
#include <string>

namespace hub::bench {

struct OrgCsvShape {
  std::int64_t rows = 141000;
  std::int64_t cities = 20;
  std::int64_t countiesPerCity = 20;
};

inline std::int64_t firstUnionId(const OrgCsvShape& shape) {
  return 2 + shape.cities + shape.cities * shape.countiesPerCity;
}

// The county a union hangs under (unions are dealt round robin over the counties).
inline std::int64_t countyOfUnion(const OrgCsvShape& shape, std::int64_t unionId) {
  const std::int64_t firstCounty = 2 + shape.cities;
  return firstCounty + (unionId - firstUnionId(shape)) % (shape.cities * shape.countiesPerCity);
}

inline std::string orgCsv(const OrgCsvShape& shape, const std::string& unionPrefix = "基层工会 ") {
  std::string csv = "id,parent_id,name,level\n1,,省总工会,1\n";
  csv.reserve(static_cast<std::size_t>(shape.rows) * 40);
  const std::int64_t firstCounty = 2 + shape.cities;
  const std::int64_t counties = shape.cities * shape.countiesPerCity;
  for (std::int64_t c = 0; c < shape.cities; ++c)
    csv += std::to_string(2 + c) + ",1,市总工会 " + std::to_string(c + 1) + ",2\n";
  for (std::int64_t k = 0; k < counties; ++k)
    csv += std::to_string(firstCounty + k) + "," + std::to_string(2 + k / shape.countiesPerCity) +
           ",\"县总工会 " + std::to_string(k + 1) + "\",3\n";
  for (std::int64_t u = firstUnionId(shape); u <= shape.rows; ++u)
    csv += std::to_string(u) + "," + std::to_string(countyOfUnion(shape, u)) + "," + unionPrefix +
           std::to_string(u) + ",4\n";
  return csv;
}

}  // namespace hub::bench
