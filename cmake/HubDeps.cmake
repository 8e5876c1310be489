# Every dependency comes from Debian 12's packages (deploy/install-deps.sh installs them).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
pkg_check_modules(LWS REQUIRED IMPORTED_TARGET libwebsockets>=4.1)
pkg_check_modules(OPENSSL REQUIRED IMPORTED_TARGET libssl libcrypto)
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)
pkg_check_modules(LIBUV REQUIRED IMPORTED_TARGET libuv)
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(TOMLPP REQUIRED IMPORTED_TARGET tomlplusplus)
pkg_check_modules(GST REQUIRED IMPORTED_TARGET gstreamer-1.0>=1.22 gstreamer-app-1.0 gstreamer-video-1.0 gstreamer-audio-1.0)
pkg_check_modules(AV REQUIRED IMPORTED_TARGET libavformat libavcodec libavutil)
# The challenge certificate (cms/challenge/certificate.cpp): text with FreeType, PNG with libpng.
pkg_check_modules(FREETYPE REQUIRED IMPORTED_TARGET freetype2)
pkg_check_modules(PNG REQUIRED IMPORTED_TARGET libpng)
find_package(spdlog REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)

# libev (the loop under lws, with lws' libwebsockets-evlib-ev plugin) ships no pkg-config file;
# its header is in the compiler's own path, so none is added (an -isystem /usr/include on every
# target would change every compile line).
find_path(LIBEV_INCLUDE_DIR ev.h REQUIRED)
find_library(LIBEV_LIBRARY ev REQUIRED)
add_library(libev UNKNOWN IMPORTED)
set_target_properties(libev PROPERTIES IMPORTED_LOCATION ${LIBEV_LIBRARY})

# MySQL Connector/C++ 1.1 ships no pkg-config file or CMake config: find it by hand.
find_path(MYSQLCPPCONN_INCLUDE_DIR cppconn/driver.h REQUIRED)
find_library(MYSQLCPPCONN_LIBRARY mysqlcppconn REQUIRED)
add_library(mysqlcppconn UNKNOWN IMPORTED)
set_target_properties(mysqlcppconn PROPERTIES
  IMPORTED_LOCATION ${MYSQLCPPCONN_LIBRARY}
  INTERFACE_INCLUDE_DIRECTORIES ${MYSQLCPPCONN_INCLUDE_DIR})

# jemalloc under the `hub` executable (app/CMakeLists.txt): glibc's malloc and free were about a
# quarter of the hub's CPU on step submissions (docs/benchmarks.md, issue 7, session 16). Not in
# the sanitizer build, whose runtime brings its own allocator.
option(HUB_JEMALLOC "link the hub executable with jemalloc" ON)
if(HUB_JEMALLOC AND NOT CMAKE_BUILD_TYPE STREQUAL "Asan")
  pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)
endif()

if(HUB_TESTS)
  find_package(GTest REQUIRED)
endif()
if(HUB_BENCH)
  find_package(benchmark QUIET)
endif()
