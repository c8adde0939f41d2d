# SPDX-License-Identifier: BSL-1.0
# What the lint scripts share: the code lines of a source file (comment lines left out) that
# match a regular expression, each as "<line number>: <line>".
include_guard(GLOBAL)

# lint_matching_lines(<source> <regex> <out-var>)
function(lint_matching_lines source regex out)
  file(STRINGS "${source}" lines)
  set(found "")
  set(number 0)
  foreach(line IN LISTS lines)
    math(EXPR number "${number} + 1")
    if(NOT line MATCHES "^[ \t]*//" AND line MATCHES "${regex}")  # a comment may name anything
      string(REPLACE ";" "," shown "${line}")  # a ';' would split the list entry
      list(APPEND found "${number}: ${shown}")
    endif()
  endforeach()
  set(${out} "${found}" PARENT_SCOPE)
endfunction()
