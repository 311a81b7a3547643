# lep_test(NAME LABEL sources...): one GoogleTest binary, discovered by ctest with a label
# (unit | db | integration | e2e). Test sources may include headers under tests/.
include(GoogleTest)

function(lep_test name label)
  add_executable(${name} ${ARGN})
  target_link_libraries(${name} PRIVATE GTest::gtest GTest::gtest_main)
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/tests)
  gtest_discover_tests(${name} PROPERTIES LABELS ${label} DISCOVERY_TIMEOUT 60
                       WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
endfunction()
