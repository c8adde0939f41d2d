# MODE=pkg_config of run_install_test.cmake: a user without CMake. Installs futon into ${prefix},
# then compiles tests/install/consumer/main.cpp with one compiler command and the flags of
# `pkg-config --cflags --libs futon`, and runs it. PKG_CONFIG_LIBDIR holds only the installed
# futon.pc's directory, so no other futon on the machine can be found.
foreach(required IN ITEMS PKG_CONFIG_EXECUTABLE CXX_COMPILER FUTON_VERSION)
  if(NOT DEFINED ${required} OR "${${required}}" STREQUAL "")
    message(FATAL_ERROR "pkg_config_consumer.cmake: -D${required}=... is required")
  endif()
endforeach()

install_futon()
file(GLOB_RECURSE pc_files ${prefix}/*/futon.pc)
list(LENGTH pc_files pc_count)
if(NOT pc_count EQUAL 1)
  message(FATAL_ERROR "install test: expected one installed futon.pc, found: ${pc_files}")
endif()
get_filename_component(pc_dir ${pc_files} DIRECTORY)
set(ENV{PKG_CONFIG_LIBDIR} ${pc_dir})
unset(ENV{PKG_CONFIG_PATH})

# Runs pkg-config with ${ARGN}; its output, split into arguments, in ${out_var}.
function(pkg_config out_var)
  execute_process(COMMAND ${PKG_CONFIG_EXECUTABLE} ${ARGN} futon RESULT_VARIABLE result
                  OUTPUT_VARIABLE output OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "install test: pkg-config ${ARGN} futon failed: ${result}")
  endif()
  message(STATUS "install test (pkg_config): pkg-config ${ARGN} futon: ${output}")
  separate_arguments(output UNIX_COMMAND "${output}")
  set(${out_var} "${output}" PARENT_SCOPE)
endfunction()

pkg_config(version --modversion)
if(NOT version STREQUAL FUTON_VERSION)
  message(FATAL_ERROR "install test: futon.pc says version ${version}, not ${FUTON_VERSION}")
endif()
# The .pc file is relocatable: its directories must be the ones under ${prefix}.
pkg_config(includedir --variable=includedir)
pkg_config(libdir --variable=libdir)
file(REAL_PATH "${includedir}" real_includedir)
file(REAL_PATH "${prefix}/include" real_expected)
if(NOT real_includedir STREQUAL real_expected)
  message(FATAL_ERROR "install test: futon.pc's includedir ${includedir} is not ${prefix}/include")
endif()
pkg_config(cflags --cflags)
pkg_config(libs --libs)

separate_arguments(cxx_flags UNIX_COMMAND "${CXX_FLAGS} ${EXE_LINKER_FLAGS}")
set(consumer ${WORK_DIR}/consumer)
# The standard is the consumer's choice (futon.pc sets none); the run path finds a shared futon.
run_step("compile the consumer"
         ${CXX_COMPILER} -std=c++20 ${cxx_flags} -Wall -Wextra -Wpedantic -Werror
         ${CONSUMER_SOURCE_DIR}/main.cpp ${cflags} ${libs} -Wl,-rpath,${libdir} -o ${consumer})
run_step("run the consumer" ${consumer})
