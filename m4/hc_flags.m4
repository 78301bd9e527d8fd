dnl AX_HC_CHECK_FLAG(FLAG, ACTION-IF-OK): does the C compiler accept FLAG (warnings as errors)?
AC_DEFUN([AX_HC_CHECK_FLAG], [
  AC_MSG_CHECKING([whether $CC accepts $1])
  hc_save_CFLAGS=$CFLAGS
  CFLAGS="$CFLAGS -Werror $1"
  AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [])], [AC_MSG_RESULT([yes]); $2], [AC_MSG_RESULT([no])])
  CFLAGS=$hc_save_CFLAGS
])
