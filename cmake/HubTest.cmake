# hub_add_test(name LABELS unit|integration|e2e|fuzz SOURCES a.cpp b.cpp [LIBS ...] [FIXTURES redis mariadb])
# One GoogleTest executable, registered as one ctest test with its label. FIXTURES names the
# servers it needs (started once per run by tests/support): the test fails when they are absent.
# Every test runs with HUB_DEMO=0 (no demo channel in any hub it starts unless it asks).
function(hub_add_test name)
  cmake_parse_arguments(T "" "" "LABELS;SOURCES;LIBS;FIXTURES" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} hub_test_support GTest::gtest_main GTest::gmock hub_warnings)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}"
    ENVIRONMENT "HUB_TEST_FIXTURE_DIR=${CMAKE_BINARY_DIR}/fixtures;HUB_DEMO=0"
    TIMEOUT 600)
  if(T_FIXTURES)
    set_tests_properties(${name} PROPERTIES FIXTURES_REQUIRED "${T_FIXTURES}")
  endif()
endfunction()
