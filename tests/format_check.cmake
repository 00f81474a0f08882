# Fails when any C++ source of the project differs from what clang-format would write.
file(GLOB_RECURSE sources
  "${SOURCE_DIR}/*.h" "${SOURCE_DIR}/*.cpp")
list(FILTER sources EXCLUDE REGEX "/build[^/]*/")
set(unformatted "")
foreach(source IN LISTS sources)
  execute_process(COMMAND "${CLANG_FORMAT}" --dry-run --Werror "${source}"
                  RESULT_VARIABLE result OUTPUT_QUIET ERROR_QUIET)
  if(NOT result EQUAL 0)
    list(APPEND unformatted "${source}")
  endif()
endforeach()
list(LENGTH sources checked)
if(unformatted)
  string(REPLACE ";" "\n  " listed "${unformatted}")
  message(FATAL_ERROR "not clang-formatted (run clang-format -i on them):\n  ${listed}")
endif()
message(STATUS "${checked} files match .clang-format")
