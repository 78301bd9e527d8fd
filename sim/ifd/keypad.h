/*
 * The simulated keypad of the PIN-pad reader: a file that the test writes with what the
 * cardholder types before (or while) the reader waits (doc/simulator.md "PIN-pad reader").
 */
#ifndef HC_SIM_IFD_KEYPAD_H
#define HC_SIM_IFD_KEYPAD_H

#include <stddef.h>

/* the longest entry read from the file; more bytes are a malformed keypad file */
#define IFD_KEYPAD_MAX 64u

typedef enum ifd_keypad_result {
	IFD_KEYPAD_DIGITS,      /* digits typed, then the validation key */
	IFD_KEYPAD_CANCEL,      /* the cancel key */
	IFD_KEYPAD_TIMEOUT,     /* nobody typed in time (or the word "timeout") */
	IFD_KEYPAD_ERROR        /* unreadable file or content that no keypad can produce */
} ifd_keypad_result_t;

/* Waits up to timeout_ms for the file path to exist (polling every 50 ms), reads it and deletes
 * it (each entry is used once). Content, trailing white space ignored: only digits (copied to
 * digits, *n of them; no terminator), "cancel" or "timeout". digits is wiped by the caller;
 * the function wipes its own copies. */
ifd_keypad_result_t ifd_keypad_read(const char *path, long timeout_ms, char *digits, size_t cap,
                                    size_t *n);

#endif
