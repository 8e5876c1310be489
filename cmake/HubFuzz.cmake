# hub_add_fuzz(name SOURCES target.cpp ... LIBS ... [CORPUS dir])
# A libFuzzer target (defines LLVMFuzzerTestOneInput). With clang and -DHUB_FUZZ=ON it links
# libFuzzer (-fsanitize=fuzzer,address,undefined) for real fuzzing runs; otherwise it links
# tests/fuzz/replay_main.cpp, which replays the corpus and a few seconds of generated inputs,
# and ctest runs it under the label `fuzz` (under ASan in the Asan build).
option(HUB_FUZZ "Build fuzz targets with libFuzzer (needs clang)" OFF)
if(HUB_FUZZ AND CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  # Coverage in the libraries too, not only in the target's own file.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
function(hub_add_fuzz name)
  cmake_parse_arguments(F "" "CORPUS" "SOURCES;LIBS" ${ARGN})
  if(HUB_FUZZ AND CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    add_executable(${name} ${F_SOURCES})
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
  else()
    add_executable(${name} ${F_SOURCES} ${PROJECT_SOURCE_DIR}/tests/fuzz/replay_main.cpp)
  endif()
  target_link_libraries(${name} PRIVATE ${F_LIBS} hub_warnings)
  if(HUB_TESTS)
    add_test(NAME ${name} COMMAND ${name} ${F_CORPUS})
    set_tests_properties(${name} PROPERTIES LABELS "fuzz" ENVIRONMENT "HUB_FUZZ_SECONDS=5" TIMEOUT 120)
  endif()
endfunction()
