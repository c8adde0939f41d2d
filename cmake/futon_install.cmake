# SPDX-License-Identifier: BSL-1.0
# Installs the library, its headers, a package config so that find_package(futon) gives
# consumers futon::futon, and futon.pc for pkg-config. Included when FUTON_INSTALL is on.
include(CMakePackageConfigHelpers)

install(TARGETS futon EXPORT futonTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/futon DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} PATTERN "*.in" EXCLUDE)
install(FILES ${PROJECT_BINARY_DIR}/include/futon/config.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/futon)
install(FILES LICENSE DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(EXPORT futonTargets NAMESPACE futon:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/futon)

configure_package_config_file(cmake/futonConfig.cmake.in
  ${PROJECT_BINARY_DIR}/futonConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/futon)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/futonConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/futonConfig.cmake ${PROJECT_BINARY_DIR}/futonConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/futon)

# ---- futon.pc (cmake/futon.pc.in) --------------------------------------------------------------
# What a consumer links besides -lfuton: the library's own link dependencies (Threads, and the
# OS's libraries, e.g. synchronization on Windows). A static futon needs them in Libs (most
# consumers do not pass --static); a shared one only in Libs.private.
find_package(Threads REQUIRED)  # its variables, which src/'s call kept to its directory
get_target_property(futon_link_items futon LINK_LIBRARIES)
set(futon_pc_dependencies)
foreach(item IN LISTS futon_link_items)
  if(item STREQUAL "Threads::Threads")
    if(CMAKE_USE_PTHREADS_INIT)
      list(APPEND futon_pc_dependencies -pthread)
    elseif(CMAKE_THREAD_LIBS_INIT)
      list(APPEND futon_pc_dependencies ${CMAKE_THREAD_LIBS_INIT})
    endif()
  elseif(NOT item MATCHES "::|^\\$<")
    list(APPEND futon_pc_dependencies -l${item})
  endif()
endforeach()
list(REMOVE_DUPLICATES futon_pc_dependencies)
list(JOIN futon_pc_dependencies " " futon_pc_dependencies)
get_target_property(futon_type futon TYPE)
if(futon_type STREQUAL "STATIC_LIBRARY")
  set(futon_pc_libs "${futon_pc_dependencies}")
  set(futon_pc_libs_private "")
else()
  set(futon_pc_libs "")
  set(futon_pc_libs_private "${futon_pc_dependencies}")
endif()
# Paths relative to the installed .pc file, so that `cmake --install --prefix` anywhere works;
# an absolute CMAKE_INSTALL_LIBDIR / INCLUDEDIR is used as it is.
set(futon_pc_dir ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(futon_pc_prefix "${CMAKE_INSTALL_PREFIX}")
  set(futon_pc_libdir "${CMAKE_INSTALL_LIBDIR}")
else()
  file(RELATIVE_PATH futon_pc_up "/prefix/${futon_pc_dir}" "/prefix")  # ../.. or ../../..
  string(REGEX REPLACE "/$" "" futon_pc_up "${futon_pc_up}")
  set(futon_pc_prefix "\${pcfiledir}/${futon_pc_up}")
  set(futon_pc_libdir "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(futon_pc_includedir "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(futon_pc_includedir "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
configure_file(cmake/futon.pc.in ${PROJECT_BINARY_DIR}/futon.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/futon.pc DESTINATION ${futon_pc_dir})
