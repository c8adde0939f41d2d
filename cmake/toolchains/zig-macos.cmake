# SPDX-License-Identifier: BSL-1.0
# Cross-compiling futon for macOS from Linux with `zig c++` (clang + libc++ with macOS headers and
# libSystem stubs), to check that the macOS code compiles and links. The programs cannot run here.
#
#   FUTON_ZIG=/path/to/zig FUTON_ZIG_TARGET=aarch64-macos \
#     cmake -B build/macos-arm64 -G Ninja --toolchain cmake/toolchains/zig-macos.cmake
#
# FUTON_ZIG: the zig executable (0.11 has macOS 11-13 headers); FUTON_ZIG_TARGET: a zig target,
# x86_64-macos or aarch64-macos, optionally with a minimum version (aarch64-macos.13). Both may be
# cache variables or environment variables. scripts/check-macos.sh installs zig from npm and
# drives this file. CMake needs one executable per tool, so small wrapper scripts that call
# `zig c++ -target ...`, `zig ar` and `zig ranlib` are written next to zig.
set(CMAKE_SYSTEM_NAME Darwin)

if(NOT FUTON_ZIG)
  set(FUTON_ZIG "$ENV{FUTON_ZIG}")
endif()
if(NOT FUTON_ZIG_TARGET)
  set(FUTON_ZIG_TARGET "$ENV{FUTON_ZIG_TARGET}")
endif()
if(NOT FUTON_ZIG OR NOT FUTON_ZIG_TARGET)
  message(FATAL_ERROR "zig-macos.cmake: set FUTON_ZIG (zig's path) and FUTON_ZIG_TARGET "
                      "(x86_64-macos or aarch64-macos)")
endif()
# Kept in the cache, so that CMake re-running itself during a build finds them without the
# environment; try_compile projects get them passed on.
set(FUTON_ZIG "${FUTON_ZIG}" CACHE FILEPATH "zig executable for the macOS cross build")
set(FUTON_ZIG_TARGET "${FUTON_ZIG_TARGET}" CACHE STRING "zig target: x86_64-macos, aarch64-macos")
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES FUTON_ZIG FUTON_ZIG_TARGET)

if(FUTON_ZIG_TARGET MATCHES "^aarch64")
  set(CMAKE_SYSTEM_PROCESSOR arm64)
else()
  set(CMAKE_SYSTEM_PROCESSOR x86_64)
endif()

get_filename_component(futon_zig_dir "${FUTON_ZIG}" DIRECTORY)
set(futon_wrappers "${futon_zig_dir}/futon-wrappers/${FUTON_ZIG_TARGET}")
foreach(tool IN ITEMS cc c++ ar ranlib install_name_tool)
  if(tool STREQUAL "cc" OR tool STREQUAL "c++")
    # Drops -v and -Wl,-v, which CMake's compiler-ABI check passes and zig's linker refuses.
    # (No semicolons: they would split the CMake string.)
    set(command "for a\ndo\n  shift\n  [ \"$a\" = -v ] || [ \"$a\" = -Wl,-v ] || set -- \"$@\" \"$a\"\ndone\n"
                "exec \"${FUTON_ZIG}\" ${tool} -target ${FUTON_ZIG_TARGET} \"$@\"")
  elseif(tool STREQUAL "install_name_tool")
    # CMake insists on finding one for Darwin; it is used only to rename installed shared
    # libraries, which this static build has none of.
    set(command "exit 0")
  else()
    set(command "exec \"${FUTON_ZIG}\" ${tool} \"$@\"")
  endif()
  if(NOT EXISTS "${futon_wrappers}/${tool}")
    string(JOIN "" command ${command})
    file(WRITE "${futon_wrappers}/${tool}.tmp" "#!/bin/sh\n${command}\n")
    file(CHMOD "${futon_wrappers}/${tool}.tmp" FILE_PERMISSIONS OWNER_READ OWNER_WRITE
         OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
    file(RENAME "${futon_wrappers}/${tool}.tmp" "${futon_wrappers}/${tool}")
  endif()
endforeach()

set(CMAKE_C_COMPILER "${futon_wrappers}/cc")
set(CMAKE_CXX_COMPILER "${futon_wrappers}/c++")
set(CMAKE_AR "${futon_wrappers}/ar" CACHE FILEPATH "")
set(CMAKE_RANLIB "${futon_wrappers}/ranlib" CACHE FILEPATH "")
set(CMAKE_INSTALL_NAME_TOOL "${futon_wrappers}/install_name_tool" CACHE FILEPATH "")
# zig brings its own SDK: no Xcode, no sysroot to look for, nothing else from the host.
set(CMAKE_OSX_SYSROOT "" CACHE PATH "")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# The test programs cannot run here: list their tests when ctest runs (on a Mac), not right after
# linking, which would try to execute a Mach-O program on Linux.
set(CMAKE_GTEST_DISCOVER_TESTS_DISCOVERY_MODE PRE_TEST)
