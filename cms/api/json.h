// cms/api/json.h
//
// The JSON type of the CMS API (nlohmann::json), one short name for every module.
#pragma once

#include <nlohmann/json.hpp>

namespace hub::cms {

using Json = nlohmann::json;

}  // namespace hub::cms
