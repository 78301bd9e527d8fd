/*
 * hcard doctor: what stands between this machine and a working card terminal, and what to
 * do about it. Checks, in order: USB CCID readers (interface class 0x0B, libusb-1.0) and the
 * access of their device nodes against udev/60-hcard-ccid.rules (group pcscd, mode 0660);
 * pcscd running; the readers PC/SC sees and whether each has a PIN pad; a SAM in one of them
 * (hcard.conf / autodetection).
 */
#include "config.h"

#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <libusb.h>

#include "tools/cli.h"
#include "apdu/pcsc.h"
#include "apdu/pinpad.h"

#define CCID_CLASS 0x0B

typedef struct doctor {
	cli_t *c;
	json_t *checks;
	int problems;
} doctor_t;

static void
report(doctor_t *d, const char *name, int ok, const char *what_en, const char *what_zh,
    const char *todo_en, const char *todo_zh)
{
	json_t *o = json_object();

	cli_say(d->c, "[%s] %s: %s%s%s", "[%s] %s：%s%s%s", ok ? " ok " : (d->c->zh ? "问题" : "FAIL"),
	    name, d->c->zh ? what_zh : what_en, ok ? "" : (d->c->zh ? "。处理：" : ". To do: "),
	    ok ? "" : (d->c->zh ? todo_zh : todo_en));
	if (!ok)
		d->problems++;
	json_object_set_new(o, "check", json_string(name));
	json_object_set_new(o, "ok", json_boolean(ok));
	json_object_set_new(o, "what", json_string(what_en));
	if (!ok)
		json_object_set_new(o, "todo", json_string(todo_en));
	json_array_append_new(d->checks, o);
}

static int
has_ccid_interface(libusb_device *dev)
{
	struct libusb_config_descriptor *cfg = NULL;
	int found = 0, i, a;

	if (libusb_get_active_config_descriptor(dev, &cfg) != 0 &&
	    libusb_get_config_descriptor(dev, 0, &cfg) != 0)
		return 0;
	for (i = 0; i < cfg->bNumInterfaces && !found; i++)
		for (a = 0; a < cfg->interface[i].num_altsetting && !found; a++)
			found = cfg->interface[i].altsetting[a].bInterfaceClass == CCID_CLASS;
	libusb_free_config_descriptor(cfg);
	return found;
}

static void
check_usb(doctor_t *d)
{
	libusb_context *usb = NULL;
	libusb_device **list = NULL;
	struct group *pcscd = getgrnam("pcscd");
	ssize_t n, k;
	int readers = 0;
	char what[256], node[64];

	if (libusb_init(&usb) != 0) {
		report(d, "usb", 0, "libusb cannot be initialised", "无法初始化 libusb",
		    "check that /dev/bus/usb exists (usbfs)", "检查 /dev/bus/usb 是否存在");
		return;
	}
	n = libusb_get_device_list(usb, &list);
	for (k = 0; k < n; k++) {
		struct libusb_device_descriptor dd;
		struct stat sb;
		int ok;

		if (libusb_get_device_descriptor(list[k], &dd) != 0 || !has_ccid_interface(list[k]))
			continue;
		readers++;
		snprintf(node, sizeof(node), "/dev/bus/usb/%03u/%03u", libusb_get_bus_number(list[k]),
		    libusb_get_device_address(list[k]));
		/* the udev rule: group pcscd, mode 0660 */
		ok = stat(node, &sb) == 0 && pcscd != NULL && sb.st_gid == pcscd->gr_gid &&
		    (sb.st_mode & 0060) == 0060;
		snprintf(what, sizeof(what), "CCID reader %04x:%04x at %s", dd.idVendor, dd.idProduct,
		    node);
		report(d, "usb-reader", ok, what, what,
		    "install udev/60-hcard-ccid.rules (make install), then `udevadm control --reload"
		    " && udevadm trigger` and replug the reader",
		    "安装 udev/60-hcard-ccid.rules（make install），执行 `udevadm control --reload &&"
		    " udevadm trigger` 并重新插拔读卡器");
	}
	if (n >= 0)
		libusb_free_device_list(list, 1);
	libusb_exit(usb);
	if (readers == 0)
		report(d, "usb-reader", 1, "no USB CCID reader attached (fine for the simulator)",
		    "未连接 USB CCID 读卡器（使用模拟器时无妨）", "", "");
}

/* Whether the reader has a PIN pad (PC/SC part 10 FEATURE_VERIFY_PIN_DIRECT): 1, 0, or -1
 * when unknown. PC/SC answers a reader's features over a connection, and a shared one needs
 * a card in the reader. */
static int
reader_pinpad(hc_pcsc_t *p, const hc_reader_info_t *r)
{
	hc_transport_t *io = NULL;
	int has = 0;

	if (!r->card_present || r->mute || hc_pcsc_connect(p, r->name, &io) != HC_OK)
		return -1;
	if (hc_transport_has_pinpad(io, &has) != HC_OK)
		has = -1;
	hc_transport_free(&io);
	return has;
}

static void
check_pcsc(doctor_t *d)
{
	hc_pcsc_t *p = NULL;
	hc_reader_info_t r[16];
	size_t n = 0, k, cards = 0;
	char what[HC_READER_NAME_MAX + 64];
	int rc;

	rc = hc_pcsc_new(&p);
	report(d, "pcscd", rc == HC_OK, rc == HC_OK ? "pcscd is running" : "pcscd is not running",
	    rc == HC_OK ? "pcscd 正在运行" : "pcscd 未运行",
	    "start it: systemctl start pcscd.socket (Debian package pcscd)",
	    "启动它：systemctl start pcscd.socket（Debian 软件包 pcscd）");
	if (rc != HC_OK)
		return;
	rc = hc_pcsc_list(p, r, 16, &n);
	snprintf(what, sizeof(what), "PC/SC sees %zu reader(s)", n);
	report(d, "readers", rc == HC_OK && n > 0, what, what,
	    "connect a reader; a USB reader that is listed above but not here needs the libccid"
	    " driver (Debian package libccid) or the udev rule",
	    "连接读卡器；上面列出但此处没有的 USB 读卡器需要 libccid 驱动或 udev 规则");
	for (k = 0; rc == HC_OK && k < n; k++) {
		int pad = reader_pinpad(p, &r[k]);

		snprintf(what, sizeof(what), "%.*s: %s; PIN pad: %s", HC_READER_NAME_MAX - 1,
		    r[k].name, r[k].card_present ? (r[k].mute ? "card present but mute" :
		    "card present") : "empty", pad < 0 ? "unknown (no card to ask the reader through)" :
		    pad ? "yes (FEATURE_VERIFY_PIN_DIRECT)" : "no");
		cards += r[k].card_present && !r[k].mute;
		report(d, "reader", !r[k].mute, what, what, "reinsert the card or try another card",
		    "重新插卡或换一张卡");
		/* the reader's entry in JSON: its name and whether it has a PIN pad (null unknown) */
		{
			json_t *o = json_array_get(d->checks, json_array_size(d->checks) - 1);

			json_object_set_new(o, "reader", json_string(r[k].name));
			json_object_set_new(o, "pinpad", pad < 0 ? json_null() : json_boolean(pad));
		}
	}
	hc_pcsc_free(&p);
	(void)cards;
}

static void
check_sam(doctor_t *d)
{
	cli_t *c = d->c;
	hc_terminal_opts_t o;
	hc_sam_info_t info;
	char what[256];
	int rc;

	if ((rc = hc_ctx_new(&c->ctx, c->conf)) != HC_OK) {
		report(d, "config", 0, hc_ctx_error_detail(c->ctx), hc_ctx_error_detail(c->ctx),
		    hc_strerror(rc), hc_strerror_zh(rc));
		return;
	}
	memset(&o, 0, sizeof(o));
	o.card_reader = c->reader;
	o.sam_reader = c->sam_reader;
	o.sam_pin = c->sam_pin;
	rc = hc_terminal_open(c->ctx, &o, &c->term);
	if (rc == HC_OK && (rc = hc_terminal_sam_info(c->term, &info)) == HC_OK) {
		snprintf(what, sizeof(what), "SAM %s, type %d, card reader %s", info.serial, info.type,
		    hc_terminal_card_reader(c->term));
		report(d, "sam", 1, what, what, "", "");
		return;
	}
	snprintf(what, sizeof(what), "no usable SAM (%s)", hc_ctx_error_detail(c->ctx));
	report(d, "sam", 0, what, what, hc_strerror(rc), hc_strerror_zh(rc));
}

int
cli_cmd_doctor(cli_t *c, int argc, char **argv)
{
	doctor_t d = { c, json_array(), 0 };

	(void)argv;
	if (argc != 1) {
		json_decref(d.checks);
		return cli_usage(c, "doctor takes no arguments");
	}
	check_usb(&d);
	check_pcsc(&d);
	check_sam(&d);
	cli_jset(c, "checks", d.checks);
	cli_jset_int(c, "problems", d.problems);
	if (d.problems == 0)
		cli_say(c, "Everything needed is in place.", "一切就绪。");
	else
		cli_say(c, "%d problem(s): see the lines marked FAIL.", "发现 %d 个问题：见标记为“问题”的行。",
		    d.problems);
	return d.problems == 0 ? CLI_EXIT_OK : CLI_EXIT_SETUP;
}
