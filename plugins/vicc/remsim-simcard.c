/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A simulated GSM SIM / UICC with a USIM application, for demos, tests and
 * benchmarks.  Pure: no I/O, no threads, no clock; every answer depends only
 * on the profile and on the commands seen since the last reset.
 *
 * What it answers and why is documented in docs/simcard.md.
 */

#include "config.h"

#include <string.h>

#include "remsim-simcard-resources.h"
#include "remsim-simcard.h"

GQuark
remsim_simcard_error_quark (void)
{
	return g_quark_from_static_string ("remsim-simcard-error-quark");
}

#define REMSIM_SIMCARD_RESOURCE "/org/remsim/simcard/default.conf"

/* access conditions, coded as in GSM 11.11 9.3 */
typedef enum {
	REMSIM_SIMCARD_AC_ALWAYS = 0x0,
	REMSIM_SIMCARD_AC_PIN1 = 0x1,
	REMSIM_SIMCARD_AC_ADM = 0x4,
	REMSIM_SIMCARD_AC_NEVER = 0xf,
} RemsimSimcardAc;

typedef enum {
	REMSIM_SIMCARD_NODE_MF,
	REMSIM_SIMCARD_NODE_DF,
	REMSIM_SIMCARD_NODE_ADF,
	REMSIM_SIMCARD_NODE_TRANSPARENT,
	REMSIM_SIMCARD_NODE_LINEAR_FIXED,
} RemsimSimcardNodeType;

typedef struct _RemsimSimcardNode RemsimSimcardNode;
struct _RemsimSimcardNode {
	RemsimSimcardNodeType type;
	guint16 fid;
	gchar *path;
	RemsimSimcardNode *parent;
	GPtrArray *children; /* unowned RemsimSimcardNode, DFs and EFs */
	guint8 aid[16];
	gsize aid_len;
	guint8 *data;
	gsize size;
	guint rec_len;
	guint rec_count;
	RemsimSimcardAc read_ac;
	RemsimSimcardAc update_ac;
};

typedef struct {
	guint8 value[8];
	guint8 puk[8];
	gboolean enabled;
	gboolean verified;
	guint retries;
	guint max_retries;
	guint puk_retries;
	guint puk_max_retries;
} RemsimSimcardChv;

/* errors, mapped to a status word per command class */
typedef enum {
	REMSIM_SIMCARD_ERR_WRONG_LENGTH,
	REMSIM_SIMCARD_ERR_P1P2,
	REMSIM_SIMCARD_ERR_NOT_FOUND,
	REMSIM_SIMCARD_ERR_NO_EF,
	REMSIM_SIMCARD_ERR_INCONSISTENT,
	REMSIM_SIMCARD_ERR_ACCESS,
	REMSIM_SIMCARD_ERR_OUT_OF_RANGE,
	REMSIM_SIMCARD_ERR_RECORD_NOT_FOUND,
	REMSIM_SIMCARD_ERR_NO_RESPONSE,
	REMSIM_SIMCARD_ERR_WRONG_DATA,
	REMSIM_SIMCARD_ERR_REFERENCE,
	REMSIM_SIMCARD_ERR_CONDITIONS,
	REMSIM_SIMCARD_ERR_LAST,
} RemsimSimcardErr;

/*                                        GSM 11.11 (CLA A0)  UICC (CLA 0x/8x) */
static const guint16 remsim_simcard_err_sw[REMSIM_SIMCARD_ERR_LAST][2] = {
    [REMSIM_SIMCARD_ERR_WRONG_LENGTH] = {0x6700, 0x6700},
    [REMSIM_SIMCARD_ERR_P1P2] = {0x6b00, 0x6a86},
    [REMSIM_SIMCARD_ERR_NOT_FOUND] = {0x9404, 0x6a82},
    [REMSIM_SIMCARD_ERR_NO_EF] = {0x9400, 0x6986},
    [REMSIM_SIMCARD_ERR_INCONSISTENT] = {0x9408, 0x6981},
    [REMSIM_SIMCARD_ERR_ACCESS] = {0x9804, 0x6982},
    [REMSIM_SIMCARD_ERR_OUT_OF_RANGE] = {0x9402, 0x6b00},
    [REMSIM_SIMCARD_ERR_RECORD_NOT_FOUND] = {0x9402, 0x6a83},
    [REMSIM_SIMCARD_ERR_NO_RESPONSE] = {0x6f00, 0x6985},
    [REMSIM_SIMCARD_ERR_WRONG_DATA] = {0x6b00, 0x6a80},
    [REMSIM_SIMCARD_ERR_REFERENCE] = {0x6b00, 0x6a88},
    [REMSIM_SIMCARD_ERR_CONDITIONS] = {0x9808, 0x6985},
};

struct _RemsimSimcard {
	GObject parent_instance;

	/* profile */
	GBytes *atr;
	GPtrArray *nodes; /* owns every RemsimSimcardNode */
	RemsimSimcardNode *mf;
	GPtrArray *adfs; /* unowned */
	guint8 ki[16];
	gboolean gsm_xor_2g;
	guint res_len;
	gboolean sqn_check;
	guint8 sqn_ms[6];
	RemsimSimcardChv chv1;

	/* session state, cleared by reset */
	gboolean powered;
	RemsimSimcardNode *cur_df;
	RemsimSimcardNode *cur_ef;
	RemsimSimcardNode *cur_adf;
	guint cur_rec; /* 1-based, 0 = none */
	guint8 pending[256];
	gsize pending_len;
};

G_DEFINE_FINAL_TYPE (RemsimSimcard, remsim_simcard, G_TYPE_OBJECT)

/* one command being answered */
typedef struct {
	RemsimSimcard *self;
	gboolean gsm;
	guint8 cla, ins, p1, p2, p3;
	const guint8 *data; /* p3 bytes for case 3/4 commands */
	guint8 *out;
	gsize len;
} RemsimSimcardCmd;

static void
remsim_simcard_node_free (RemsimSimcardNode *node)
{
	g_free (node->path);
	g_free (node->data);
	g_clear_pointer (&node->children, g_ptr_array_unref);
	g_free (node);
}

static gboolean
remsim_simcard_node_is_df (const RemsimSimcardNode *node)
{
	return node->type == REMSIM_SIMCARD_NODE_MF || node->type == REMSIM_SIMCARD_NODE_DF ||
	       node->type == REMSIM_SIMCARD_NODE_ADF;
}

/* ------------------------------------------------------------------------- */
/* the test algorithm: 3GPP TS 34.108 8.1.2 with c2/c3 of TS 33.102 6.8.1.2  */

static void
remsim_simcard_xor_n (guint8 *out, const guint8 *a, const guint8 *b, gsize n)
{
	for (gsize i = 0; i < n; i++)
		out[i] = a[i] ^ b[i];
}

/**
 * remsim_simcard_xor_3g:
 * @k: the subscriber key K (Ki), 16 bytes
 * @rand: RAND, 16 bytes
 * @res_len: length of RES in bytes, 4 to 16
 * @res: (out caller-allocates): RES, @res_len bytes
 * @ck: (out caller-allocates): CK
 * @ik: (out caller-allocates): IK
 * @ak: (out caller-allocates): AK (f5 and f5* are the same function)
 *
 * XDOUT = K xor RAND; RES = f2 = XDOUT[0..n-1]; CK = f3 = XDOUT rotated left
 * by 8 bits; IK = f4 = XDOUT rotated left by 16 bits; AK = f5 = XDOUT bits
 * 24..71 (bytes 3..8).
 *
 * Since: 0.1
 */
void
remsim_simcard_xor_3g (const guint8 k[16],
		       const guint8 rand[16],
		       gsize res_len,
		       guint8 *res,
		       guint8 ck[16],
		       guint8 ik[16],
		       guint8 ak[6])
{
	guint8 xdout[16];

	g_return_if_fail (res_len >= 4 && res_len <= 16);

	remsim_simcard_xor_n (xdout, k, rand, 16);
	memcpy (res, xdout, res_len);
	for (guint i = 0; i < 16; i++) {
		ck[i] = xdout[(i + 1) % 16];
		ik[i] = xdout[(i + 2) % 16];
	}
	memcpy (ak, xdout + 3, 6);
}

/**
 * remsim_simcard_c2:
 *
 * SRES = XRES*[0..31] xor XRES*[32..63] xor XRES*[64..95] xor XRES*[96..127],
 * where XRES* is RES padded with zero bits to 128 bits (TS 33.102 6.8.1.2).
 *
 * Since: 0.1
 */
void
remsim_simcard_c2 (const guint8 *res, gsize res_len, guint8 sres[4])
{
	guint8 padded[16] = {0};

	memcpy (padded, res, MIN (res_len, sizeof (padded)));
	for (guint i = 0; i < 4; i++)
		sres[i] = padded[i] ^ padded[i + 4] ^ padded[i + 8] ^ padded[i + 12];
}

/**
 * remsim_simcard_c3:
 *
 * Kc = CK[0..63] xor CK[64..127] xor IK[0..63] xor IK[64..127]
 * (TS 33.102 6.8.1.2).
 *
 * Since: 0.1
 */
void
remsim_simcard_c3 (const guint8 ck[16], const guint8 ik[16], guint8 kc[8])
{
	for (guint i = 0; i < 8; i++)
		kc[i] = ck[i] ^ ck[i + 8] ^ ik[i] ^ ik[i + 8];
}

/**
 * remsim_simcard_xor_autn:
 *
 * The network side: AUTN = (SQN xor AK) || AMF || MAC with
 * MAC = f1 = XDOUT[0..63] xor (SQN || AMF) (TS 34.108 8.1.2.1 steps 3-5).
 *
 * Since: 0.1
 */
void
remsim_simcard_xor_autn (const guint8 k[16],
			 const guint8 rand[16],
			 const guint8 sqn[6],
			 const guint8 amf[2],
			 guint8 autn[16])
{
	guint8 xdout[16];
	guint8 cdout[8];

	remsim_simcard_xor_n (xdout, k, rand, 16);
	memcpy (cdout, sqn, 6);
	memcpy (cdout + 6, amf, 2);
	remsim_simcard_xor_n (autn, sqn, xdout + 3, 6);
	memcpy (autn + 6, amf, 2);
	remsim_simcard_xor_n (autn + 8, xdout, cdout, 8);
}

/* SRES and Kc for RUN GSM ALGORITHM and AUTHENTICATE in GSM context */
static void
remsim_simcard_gsm_auth (RemsimSimcard *self, const guint8 rand[16], guint8 sres[4], guint8 kc[8])
{
	guint8 res[16], ck[16], ik[16], ak[6];

	if (self->gsm_xor_2g) {
		/* TS 51.010-1 A.4.1.2: SRES = (Ki xor RAND)[0..3], Kc = [4..11] */
		guint8 xdout[16];
		remsim_simcard_xor_n (xdout, self->ki, rand, 16);
		memcpy (sres, xdout, 4);
		memcpy (kc, xdout + 4, 8);
		return;
	}
	remsim_simcard_xor_3g (self->ki, rand, self->res_len, res, ck, ik, ak);
	remsim_simcard_c2 (res, self->res_len, sres);
	remsim_simcard_c3 (ck, ik, kc);
}

/* ------------------------------------------------------------------------- */
/* responses                                                                 */

static gsize
remsim_simcard_sw (RemsimSimcardCmd *cmd, guint16 sw)
{
	cmd->out[cmd->len++] = sw >> 8;
	cmd->out[cmd->len++] = sw & 0xff;
	return cmd->len;
}

static gsize
remsim_simcard_err (RemsimSimcardCmd *cmd, RemsimSimcardErr err)
{
	return remsim_simcard_sw (cmd, remsim_simcard_err_sw[err][cmd->gsm ? 0 : 1]);
}

/* Le too large: GSM 11.11 answers 67 XX, ISO 7816-3 T=0 (UICC) 6C XX,
 * XX being the length that would work */
static gsize
remsim_simcard_wrong_le (RemsimSimcardCmd *cmd, gsize right)
{
	return remsim_simcard_sw (cmd, (cmd->gsm ? 0x6700 : 0x6c00) | (right & 0xff));
}

static gsize
remsim_simcard_data (RemsimSimcardCmd *cmd, const guint8 *data, gsize len, guint16 sw)
{
	memcpy (cmd->out + cmd->len, data, len);
	cmd->len += len;
	return remsim_simcard_sw (cmd, sw);
}

/* data the terminal fetches with GET RESPONSE: 9F XX (GSM) or 61 XX (UICC) */
static gsize
remsim_simcard_pending (RemsimSimcardCmd *cmd, const guint8 *data, gsize len)
{
	RemsimSimcard *self = cmd->self;

	g_assert (len > 0 && len <= sizeof (self->pending));
	memcpy (self->pending, data, len);
	self->pending_len = len;
	return remsim_simcard_sw (cmd, (cmd->gsm ? 0x9f00 : 0x6100) | (len & 0xff));
}

/* ------------------------------------------------------------------------- */
/* file system                                                               */

static gboolean
remsim_simcard_ac_ok (RemsimSimcard *self, RemsimSimcardAc ac)
{
	switch (ac) {
	case REMSIM_SIMCARD_AC_ALWAYS:
		return TRUE;
	case REMSIM_SIMCARD_AC_PIN1:
		return !self->chv1.enabled || self->chv1.verified;
	case REMSIM_SIMCARD_AC_ADM:
	case REMSIM_SIMCARD_AC_NEVER:
	default:
		return FALSE;
	}
}

static guint
remsim_simcard_count_children (const RemsimSimcardNode *df, gboolean dfs)
{
	guint n = 0;

	for (guint i = 0; i < df->children->len; i++) {
		const RemsimSimcardNode *child = g_ptr_array_index (df->children, i);
		if (remsim_simcard_node_is_df (child) == dfs)
			n++;
	}
	return n;
}

/* GSM 11.11 9.2.1: response to SELECT of MF/DF and to STATUS, 23 bytes */
static gsize
remsim_simcard_gsm_df_response (RemsimSimcard *self, const RemsimSimcardNode *df, guint8 *buf)
{
	memset (buf, 0, 23);
	buf[2] = 0x10; /* memory not allocated: 4 KiB, a made-up figure */
	buf[4] = df->fid >> 8;
	buf[5] = df->fid & 0xff;
	buf[6] = df->type == REMSIM_SIMCARD_NODE_MF ? 0x01 : 0x02;
	buf[12] = 23 - 13; /* length of the GSM specific data */
	/* clock stop allowed, 3 V technology; b8 = CHV1 disabled */
	buf[13] = 0x13 | (self->chv1.enabled ? 0x00 : 0x80);
	buf[14] = remsim_simcard_count_children (df, TRUE);
	buf[15] = remsim_simcard_count_children (df, FALSE);
	buf[16] = 0x04; /* CHV1, UNBLOCK CHV1, CHV2, UNBLOCK CHV2 */
	buf[18] = 0x80 | self->chv1.retries;
	buf[19] = 0x80 | self->chv1.puk_retries;
	/* CHV2 and UNBLOCK CHV2: not initialised (buf[20], buf[21] = 0) */
	return 23;
}

/* GSM 11.11 9.2.1: response to SELECT of an EF, 15 bytes */
static gsize
remsim_simcard_gsm_ef_response (const RemsimSimcardNode *ef, guint8 *buf)
{
	memset (buf, 0, 15);
	buf[2] = ef->size >> 8;
	buf[3] = ef->size & 0xff;
	buf[4] = ef->fid >> 8;
	buf[5] = ef->fid & 0xff;
	buf[6] = 0x04; /* EF */
	buf[8] = (ef->read_ac << 4) | ef->update_ac;
	buf[9] = 0xff;	/* INCREASE: never */
	buf[10] = 0x44; /* REHABILITATE / INVALIDATE: ADM */
	buf[11] = 0x01; /* not invalidated */
	buf[12] = 0x02;
	buf[13] = ef->type == REMSIM_SIMCARD_NODE_LINEAR_FIXED ? 0x01 : 0x00;
	buf[14] = ef->type == REMSIM_SIMCARD_NODE_LINEAR_FIXED ? ef->rec_len : 0x00;
	return 15;
}

/* ETSI TS 102 221 11.1.1.3: FCP template */
static gsize
remsim_simcard_fcp (RemsimSimcard *self, const RemsimSimcardNode *node, guint8 *buf)
{
	gsize n = 2;

	buf[0] = 0x62;
	if (remsim_simcard_node_is_df (node)) {
		const guint8 fd[] = {0x82, 0x02, 0x78, 0x21};
		memcpy (buf + n, fd, sizeof (fd));
		n += sizeof (fd);
	} else if (node->type == REMSIM_SIMCARD_NODE_TRANSPARENT) {
		const guint8 fd[] = {0x82, 0x02, 0x41, 0x21};
		memcpy (buf + n, fd, sizeof (fd));
		n += sizeof (fd);
	} else {
		const guint8 fd[] = {0x82, 0x05, 0x42, 0x21, 0x00, node->rec_len, node->rec_count};
		memcpy (buf + n, fd, sizeof (fd));
		n += sizeof (fd);
	}
	if (node->type == REMSIM_SIMCARD_NODE_ADF) {
		buf[n++] = 0x84;
		buf[n++] = node->aid_len;
		memcpy (buf + n, node->aid, node->aid_len);
		n += node->aid_len;
	} else {
		buf[n++] = 0x83;
		buf[n++] = 0x02;
		buf[n++] = node->fid >> 8;
		buf[n++] = node->fid & 0xff;
	}
	/* life cycle status: operational, activated */
	buf[n++] = 0x8a;
	buf[n++] = 0x01;
	buf[n++] = 0x05;
	/* security attributes, referenced: EF ARR 2F06, record by access rule */
	buf[n++] = 0x8b;
	buf[n++] = 0x03;
	buf[n++] = 0x2f;
	buf[n++] = 0x06;
	buf[n++] = remsim_simcard_node_is_df (node) ? 0x01 : (node->read_ac == 0 ? 0x02 : 0x03);
	if (remsim_simcard_node_is_df (node)) {
		/* PIN status template: PS_DO (b8 = PIN1 enabled), key reference 01 */
		buf[n++] = 0xc6;
		buf[n++] = 0x06;
		buf[n++] = 0x90;
		buf[n++] = 0x01;
		buf[n++] = self->chv1.enabled ? 0x80 : 0x00;
		buf[n++] = 0x83;
		buf[n++] = 0x01;
		buf[n++] = 0x01;
	} else {
		buf[n++] = 0x80;
		buf[n++] = 0x02;
		buf[n++] = node->size >> 8;
		buf[n++] = node->size & 0xff;
	}
	buf[1] = n - 2;
	return n;
}

static RemsimSimcardNode *
remsim_simcard_child (const RemsimSimcardNode *df, guint16 fid, gboolean want_df, gboolean want_ef)
{
	for (guint i = 0; i < df->children->len; i++) {
		RemsimSimcardNode *child = g_ptr_array_index (df->children, i);
		gboolean is_df = remsim_simcard_node_is_df (child);
		if (child->fid == fid && ((is_df && want_df) || (!is_df && want_ef)))
			return child;
	}
	return NULL;
}

/* selection by file id, GSM 11.11 6.5 / TS 102 221 8.4.1 */
static RemsimSimcardNode *
remsim_simcard_lookup_fid (RemsimSimcard *self, guint16 fid)
{
	RemsimSimcardNode *df = self->cur_df;
	RemsimSimcardNode *node;

	if (fid == 0x3f00)
		return self->mf;
	if (fid == 0x7fff)
		return self->cur_adf;
	if (df->type != REMSIM_SIMCARD_NODE_ADF && df->fid == fid)
		return df;
	node = remsim_simcard_child (df, fid, TRUE, TRUE);
	if (node != NULL)
		return node;
	if (df->parent != NULL) {
		if (df->parent->fid == fid)
			return df->parent;
		node = remsim_simcard_child (df->parent, fid, TRUE, FALSE);
		if (node != NULL)
			return node;
	}
	return NULL;
}

static void
remsim_simcard_set_current (RemsimSimcard *self, RemsimSimcardNode *node)
{
	if (remsim_simcard_node_is_df (node)) {
		self->cur_df = node;
		self->cur_ef = NULL;
		if (node->type == REMSIM_SIMCARD_NODE_ADF)
			self->cur_adf = node;
	} else {
		self->cur_df = node->parent;
		self->cur_ef = node;
	}
	self->cur_rec = 0;
}

/* ------------------------------------------------------------------------- */
/* commands                                                                  */

static gsize
remsim_simcard_select_done (RemsimSimcardCmd *cmd, RemsimSimcardNode *node, gboolean want_fcp)
{
	RemsimSimcard *self = cmd->self;
	guint8 buf[256];
	gsize n;

	if (node == NULL)
		return remsim_simcard_err (cmd, REMSIM_SIMCARD_ERR_NOT_FOUND);
	remsim_simcard_set_current (self, node);
	if (!want_fcp)
		return remsim_simcard_sw (cmd, 0x9000);
	if (cmd->gsm) {
		n = remsim_simcard_node_is_df (node)
			? remsim_simcard_gsm_df_response (self, node, buf)
			: remsim_simcard_gsm_ef_response (node, buf);
	} else {
		n = remsim_simcard_fcp (self, node, buf);
	}
	return remsim_simcard_pending (cmd, buf, n);
}

static RemsimSimcardNode *
remsim_simcard_walk_path (RemsimSimcard *self,
			  RemsimSimcardNode *start,
			  const guint8 *path,
			  gsize len)
{
	RemsimSimcardNode *node = start;

	for (gsize i = 0; i + 1 < len; i += 2) {
		guint16 fid = (path[i] << 8) | path[i + 1];
		if (i == 0 && fid == 0x3f00 && start == self->mf)
			continue;
		if (fid == 0x7fff && i == 0 && self->cur_adf != NULL) {
			node = self->cur_adf;
			continue;
		}
		if (!remsim_simcard_node_is_df (node))
			return NULL;
		node = remsim_simcard_child (node, fid, TRUE, TRUE);
		if (node == NULL)
			return NULL;
	}
	return node;
}

static gsize
remsim_simcard_cmd_select (RemsimSimcardCmd *cmd)
{
	RemsimSimcard *self = cmd->self;
	RemsimSimcardNode *node = NULL;
	gboolean want_fcp;

	if (cmd->gsm) {
		if (cmd->p1 != 0 || cmd->p2 != 0)
			return remsim_simcard_err (cmd, REMSIM_SIMCARD_ERR_P1P2);
		if (cmd->p3 != 2)
			return remsim_simcard_err (cmd, REMSIM_SIMCARD_ERR_WRONG_LENGTH);
		node = remsim_simcard_lookup_fid (self, (cmd->data[0] << 8) | cmd->data[1]);
		return remsim_simcard_select_done (cmd, node, TRUE);
	}

	/* P2: b4-b3 = 01 FCP, 11 no data, 00 FCI (answered with the FCP) */
	switch (cmd->p2 & 0x0c) {
	case 0x00:
	case 0x04:
		want_fcp = TRUE;
		break;
	case 0x0c:
		want_fcp = FALSE;
		break;
	default:
		return remsim_simcard_err (cmd, REMSIM_SIMCARD_ERR_P1P2);
	}
	if ((cmd->p2 & 0xf3) != 0)
		return remsim_simcard_err (cmd, REMSIM_SIMCARD_ERR_P1P2);

	switch (cmd->p1) {
	case 0x00: /* by file id; no data = MF */
		if (cmd->p3 == 0)
			node = self->mf;
		else if (cmd->p3 == 2)
			node = remsim_simcard_lookup_fid (self, (cmd->data[0] << 8) | cmd->data[1]);
		else
			return remsim_simcard_err (cmd, REMSIM_SIMCARD_ERR_WRONG_LENGTH);
		break;
	case 0x01: /* child DF */
	case 0x02: /* EF under the current DF */
		if (cmd->p3 != 2)
			return remsim_simcard_err (cmd, REMSIM_SIMCARD_ERR_WRONG_LENGTH);
		node = remsim_simcard_child (self->cur_df,
					     (cmd->data[0] << 8) | cmd->data[1],
					     cmd->p1 == 0x01,
					     cmd->p1 == 0x02);
		break;
	case 0x03: /* parent DF */
		if (cmd->p3 != 0)
			return remsim_simcard_err (cmd, REMSIM_SIMCARD_ERR_WRONG_LENGTH);
		node = self->cur_df->parent;
		break;
	case 0x04: /* by DF name (AID), right-truncated allowed */
		if (cmd->p3 < 1 || cmd->p3 > 16)
			return remsim_simcard_err (cmd, REMSIM_SIMCARD_ERR_WRONG_LENGTH);
		if ((cmd->p2 & 0x03) != 0)
			break; /* only one occurrence of each application */
		for (guint i = 0; i < self->adfs->len; i++) {
			RemsimSimcardNode *adf = g_ptr_array_index (self->adfs, i);
			if (cmd->p3 <= adf->aid_len && memcmp (adf->aid, cmd->data, cmd->p3) == 0) {
				node = adf;
				break;
			}
		}
		break;
	case 0x08: /* path from MF */
	case 0x09: /* path from the current DF */
		if (cmd->p3 == 0 || cmd->p3 % 2 != 0)
			return remsim_simcard_err (cmd, REMSIM_SIMCARD_ERR_WRONG_LENGTH);
		node = remsim_simcard_walk_path (
		    self, cmd->p1 == 0x08 ? self->mf : self->cur_df, cmd->data, cmd->p3);
		break;
	default:
		return remsim_simcard_err (cmd, REMSIM_SIMCARD_ERR_P1P2);
	}
	return remsim_simcard_select_done (cmd, node, want_fcp);
}

static gsize
remsim_simcard_cmd_status (RemsimSimcardCmd *cmd)
{
	RemsimSimcard *self = cmd->self;
	RemsimSimcardNode *df = self->cur_df;
	guint8 buf[256];
	gsize n;
	gsize le = cmd->p3 ? cmd->p3 : 256;

	if (cmd->gsm) {
		if (cmd->p1 != 0 || cmd->p2 != 0)
			return remsim_simcard_err (cmd, REMSIM_SIMCARD_ERR_P1P2);
		n = remsim_simcard_gsm_df_response (self, df, buf);
	} else {
		if (cmd->p1 > 0x02)
			return remsim_simcard_err (cmd, REMSIM_SIMCARD_ERR_P1P2);
		switch (cmd->p2) {
		case 0x00:
			n = remsim_simcard_fcp (self, df, buf);
			break;
		case 0x01:
			if (df->type != REMSIM_SIMCARD_NODE_ADF) {
				n = 0;
				break;
			}
			buf[0] = 0x84;
			buf[1] = df->aid_len;
			memcpy (buf + 2, df->aid, df->aid_len);
			n = 2 + df->aid_len;
			break;
		case 0x0c:
			if (cmd->p3 != 0)
				return remsim_simcard_err (cmd, REMSIM_SIMCARD_ERR_WRONG_LENGTH);
			return remsim_simcard_sw (cmd, 0x9000);
		default:
			return remsim_simcard_err (cmd, REMSIM_SIMCARD_ERR_P1P2);
		}
	}
	if (le > n)
		return remsim_simcard_wrong_le (cmd, n);
	return remsim_simcard_data (cmd, buf, le, 0x9000);
}

static gsize
remsim_simcard_cmd_get_response (RemsimSimcardCmd *cmd, const guint8 *pending, gsize pending_len)
{
	RemsimSimcard *self = cmd->self;
	gsize le = cmd->p3 ? cmd->p3 : 256;

	if (cmd->p1 != 0 || cmd->p2 != 0)
		return remsim_simcard_err (cmd, REMSIM_SIMCARD_ERR_P1P2);
	if (pending_len == 0)
		return remsim_simcard_err (cmd, REMSIM_SIMCARD_ERR_NO_RESPONSE);
	if (le > pending_len) {
		/* keep the data for the retry with the right length */
		memmove (self->pending, pending, pending_len);
		self->pending_len = pending_len;
		return remsim_simcard_wrong_le (cmd, pending_len);
	}
	if (le < pending_len && !cmd->gsm) {
		/* the rest stays available, 61 XX */
		memcpy (cmd->out, pending, le);
		cmd->len = le;
		memmove (self->pending, pending + le, pending_len - le);
		self->pending_len = pending_len - le;
		return remsim_simcard_sw (cmd, 0x6100 | (self->pending_len & 0xff));
	}
	return remsim_simcard_data (cmd, pending, le, 0x9000);
}

static gsize
remsim_simcard_cmd_binary (RemsimSimcardCmd *cmd, gboolean update)
{
	RemsimSimcard *self = cmd->self;
	RemsimSimcardNode *ef;
	gsize offset, len;

	if (cmd->p1 & 0x80) /* short file identifiers: none defined */
		return remsim_simcard_err (
		    cmd, cmd->gsm ? REMSIM_SIMCARD_ERR_P1P2 : REMSIM_SIMCARD_ERR_NOT_FOUND);
	ef = self->cur_ef;
	if (ef == NULL)
		return remsim_simcard_err (cmd, REMSIM_SIMCARD_ERR_NO_EF);
	if (ef->type != REMSIM_SIMCARD_NODE_TRANSPARENT)
		return remsim_simcard_err (cmd, REMSIM_SIMCARD_ERR_INCONSISTENT);
	if (!remsim_simcard_ac_ok (self, update ? ef->update_ac : ef->read_ac))
		return remsim_simcard_err (cmd, REMSIM_SIMCARD_ERR_ACCESS);
	offset = (cmd->p1 << 8) | cmd->p2;
	if (offset >= ef->size)
		return remsim_simcard_err (cmd, REMSIM_SIMCARD_ERR_OUT_OF_RANGE);
	if (update) {
		len = cmd->p3;
		if (len == 0 || offset + len > ef->size)
			return remsim_simcard_err (cmd, REMSIM_SIMCARD_ERR_OUT_OF_RANGE);
		memcpy (ef->data + offset, cmd->data, len);
		return remsim_simcard_sw (cmd, 0x9000);
	}
	len = cmd->p3 ? cmd->p3 : 256;
	if (offset + len > ef->size)
		return remsim_simcard_wrong_le (cmd, ef->size - offset);
	return remsim_simcard_data (cmd, ef->data + offset, len, 0x9000);
}

static gsize
remsim_simcard_cmd_record (RemsimSimcardCmd *cmd, gboolean update)
{
	RemsimSimcard *self = cmd->self;
	RemsimSimcardNode *ef;
	guint rec;
	gsize len;

	if ((cmd->p2 >> 3) != 0) /* short file identifiers: none defined */
		return remsim_simcard_err (
		    cmd, cmd->gsm ? REMSIM_SIMCARD_ERR_P1P2 : REMSIM_SIMCARD_ERR_NOT_FOUND);
	ef = self->cur_ef;
	if (ef == NULL)
		return remsim_simcard_err (cmd, REMSIM_SIMCARD_ERR_NO_EF);
	if (ef->type != REMSIM_SIMCARD_NODE_LINEAR_FIXED)
		return remsim_simcard_err (cmd, REMSIM_SIMCARD_ERR_INCONSISTENT);
	if (!remsim_simcard_ac_ok (self, update ? ef->update_ac : ef->read_ac))
		return remsim_simcard_err (cmd, REMSIM_SIMCARD_ERR_ACCESS);

	switch (cmd->p2 & 0x07) {
	case 0x02: /* next */
		if (cmd->p1 != 0)
			return remsim_simcard_err (cmd, REMSIM_SIMCARD_ERR_P1P2);
		rec = self->cur_rec + 1;
		break;
	case 0x03: /* previous */
		if (cmd->p1 != 0)
			return remsim_simcard_err (cmd, REMSIM_SIMCARD_ERR_P1P2);
		rec = self->cur_rec == 0 ? ef->rec_count : self->cur_rec - 1;
		break;
	case 0x04: /* absolute; P1 = 0 means the current record */
		rec = cmd->p1 != 0 ? cmd->p1 : self->cur_rec;
		break;
	default:
		return remsim_simcard_err (cmd, REMSIM_SIMCARD_ERR_P1P2);
	}
	if (rec == 0 || rec > ef->rec_count)
		return remsim_simcard_err (cmd, REMSIM_SIMCARD_ERR_RECORD_NOT_FOUND);

	len = cmd->p3 ? cmd->p3 : 256;
	if (update) {
		if (cmd->p3 != ef->rec_len)
			return remsim_simcard_err (cmd, REMSIM_SIMCARD_ERR_WRONG_LENGTH);
	} else if (len != ef->rec_len) {
		return remsim_simcard_wrong_le (cmd, ef->rec_len);
	}
	if ((cmd->p2 & 0x07) != 0x04)
		self->cur_rec = rec;
	if (update) {
		memcpy (ef->data + (gsize)(rec - 1) * ef->rec_len, cmd->data, ef->rec_len);
		return remsim_simcard_sw (cmd, 0x9000);
	}
	return remsim_simcard_data (
	    cmd, ef->data + (gsize)(rec - 1) * ef->rec_len, ef->rec_len, 0x9000);
}

/* a wrong CHV/PIN or PUK: count down and say how many tries are left */
static gsize
remsim_simcard_chv_wrong (RemsimSimcardCmd *cmd, guint *retries)
{
	if (*retries > 0)
		(*retries)--;
	if (cmd->gsm)
		return remsim_simcard_sw (cmd, *retries == 0 ? 0x9840 : 0x9804);
	return remsim_simcard_sw (cmd, 0x63c0 | *retries);
}

static gsize
remsim_simcard_chv_blocked (RemsimSimcardCmd *cmd)
{
	return remsim_simcard_sw (cmd, cmd->gsm ? 0x9840 : 0x6983);
}

/* VERIFY 20, CHANGE 24, DISABLE 26, ENABLE 28, UNBLOCK 2C (CHV1/PIN1 only) */
static gsize
remsim_simcard_cmd_chv (RemsimSimcardCmd *cmd)
{
	RemsimSimcardChv *chv = &cmd->self->chv1;
	guint8 expected_p2 = 0x01;
	gsize expected_len = 8;

	if (cmd->ins == 0x2c) {
		expected_p2 = cmd->gsm ? 0x00 : 0x01; /* GSM 11.11 9.2.14: P2 = 00 */
		expected_len = 16;
	} else if (cmd->ins == 0x24) {
		expected_len = 16;
	}
	if (cmd->p1 != 0)
		return remsim_simcard_err (cmd, REMSIM_SIMCARD_ERR_P1P2);
	if (cmd->p2 != expected_p2)
		return remsim_simcard_err (cmd, REMSIM_SIMCARD_ERR_REFERENCE);

	/* UICC: VERIFY / UNBLOCK without data asks for the retry counter */
	if (!cmd->gsm && cmd->p3 == 0 && (cmd->ins == 0x20 || cmd->ins == 0x2c)) {
		if (cmd->ins == 0x2c)
			return remsim_simcard_sw (
			    cmd, chv->puk_retries ? 0x63c0 | chv->puk_retries : 0x6983);
		if (chv->retries == 0)
			return remsim_simcard_chv_blocked (cmd);
		if (!chv->enabled || chv->verified)
			return remsim_simcard_sw (cmd, 0x9000);
		return remsim_simcard_sw (cmd, 0x63c0 | chv->retries);
	}
	if (cmd->p3 != expected_len)
		return remsim_simcard_err (cmd, REMSIM_SIMCARD_ERR_WRONG_LENGTH);

	if (cmd->ins == 0x2c) {
		if (chv->puk_retries == 0)
			return remsim_simcard_chv_blocked (cmd);
		if (memcmp (cmd->data, chv->puk, 8) != 0)
			return remsim_simcard_chv_wrong (cmd, &chv->puk_retries);
		chv->puk_retries = chv->puk_max_retries;
		memcpy (chv->value, cmd->data + 8, 8);
		chv->retries = chv->max_retries;
		chv->verified = TRUE;
		return remsim_simcard_sw (cmd, 0x9000);
	}

	/* GSM 11.11: VERIFY and CHANGE need CHV1 enabled, DISABLE needs it
	 * enabled, ENABLE needs it disabled */
	if (cmd->ins == 0x28 ? chv->enabled : (!chv->enabled && (cmd->gsm || cmd->ins != 0x20)))
		return remsim_simcard_err (cmd, REMSIM_SIMCARD_ERR_CONDITIONS);
	if (chv->retries == 0)
		return remsim_simcard_chv_blocked (cmd);
	if (memcmp (cmd->data, chv->value, 8) != 0) {
		chv->verified = FALSE;
		return remsim_simcard_chv_wrong (cmd, &chv->retries);
	}
	chv->retries = chv->max_retries;
	chv->verified = TRUE;
	switch (cmd->ins) {
	case 0x24:
		memcpy (chv->value, cmd->data + 8, 8);
		break;
	case 0x26:
		chv->enabled = FALSE;
		break;
	case 0x28:
		chv->enabled = TRUE;
		break;
	default:
		break;
	}
	return remsim_simcard_sw (cmd, 0x9000);
}

/* GSM 11.11 9.2.16: RUN GSM ALGORITHM, A0 88 00 00 10 RAND -> 9F 0C */
static gsize
remsim_simcard_cmd_run_gsm_algorithm (RemsimSimcardCmd *cmd)
{
	guint8 buf[12];

	if (cmd->p1 != 0 || cmd->p2 != 0)
		return remsim_simcard_err (cmd, REMSIM_SIMCARD_ERR_P1P2);
	if (cmd->p3 != 16)
		return remsim_simcard_err (cmd, REMSIM_SIMCARD_ERR_WRONG_LENGTH);
	if (!remsim_simcard_ac_ok (cmd->self, REMSIM_SIMCARD_AC_PIN1))
		return remsim_simcard_err (cmd, REMSIM_SIMCARD_ERR_ACCESS);
	remsim_simcard_gsm_auth (cmd->self, cmd->data, buf, buf + 4);
	return remsim_simcard_pending (cmd, buf, sizeof (buf));
}

static gboolean
remsim_simcard_sqn_fresh (const guint8 sqn[6], const guint8 sqn_ms[6])
{
	return memcmp (sqn, sqn_ms, 6) > 0;
}

/* TS 31.102 7.1.2: AUTHENTICATE, 00 88 00 80 (GSM) / 00 88 00 81 (3G) */
static gsize
remsim_simcard_cmd_authenticate (RemsimSimcardCmd *cmd)
{
	RemsimSimcard *self = cmd->self;
	const guint8 *rand = cmd->data + 1;
	guint8 buf[64];
	guint8 res[16], ck[16], ik[16], ak[6], kc[8];
	guint8 xdout[16], sqn[6], cdout[8], xmac[8];
	const guint8 *autn;
	gsize n = 0;

	if (cmd->p1 != 0 || (cmd->p2 != 0x80 && cmd->p2 != 0x81))
		return remsim_simcard_err (cmd, REMSIM_SIMCARD_ERR_P1P2);
	if (!remsim_simcard_ac_ok (self, REMSIM_SIMCARD_AC_PIN1))
		return remsim_simcard_err (cmd, REMSIM_SIMCARD_ERR_ACCESS);
	if (cmd->p3 < 17 || cmd->data[0] != 16)
		return remsim_simcard_err (cmd, REMSIM_SIMCARD_ERR_WRONG_DATA);

	if (cmd->p2 == 0x80) {
		if (cmd->p3 != 17)
			return remsim_simcard_err (cmd, REMSIM_SIMCARD_ERR_WRONG_LENGTH);
		buf[n++] = 4;
		remsim_simcard_gsm_auth (self, rand, buf + n, buf + n + 5);
		n += 4;
		buf[n++] = 8;
		n += 8;
		return remsim_simcard_pending (cmd, buf, n);
	}

	if (cmd->p3 != 34 || cmd->data[17] != 16)
		return remsim_simcard_err (cmd, REMSIM_SIMCARD_ERR_WRONG_DATA);
	autn = cmd->data + 18;

	/* TS 34.108 8.1.2.1, the USIM side */
	remsim_simcard_xor_3g (self->ki, rand, self->res_len, res, ck, ik, ak);
	remsim_simcard_xor_n (xdout, self->ki, rand, 16);
	remsim_simcard_xor_n (sqn, autn, ak, 6);
	memcpy (cdout, sqn, 6);
	memcpy (cdout + 6, autn + 6, 2);
	remsim_simcard_xor_n (xmac, xdout, cdout, 8);
	if (memcmp (xmac, autn + 8, 8) != 0)
		return remsim_simcard_sw (cmd, 0x9862); /* MAC failure */

	if (self->sqn_check && !remsim_simcard_sqn_fresh (sqn, self->sqn_ms)) {
		/* TS 34.108 8.1.2.2: AUTS = (SQNms xor AK) || MAC-S,
		 * MAC-S = XDOUT[0..63] xor (SQNms || 0000) */
		guint8 mac_s[8];
		memcpy (cdout, self->sqn_ms, 6);
		cdout[6] = cdout[7] = 0;
		remsim_simcard_xor_n (mac_s, xdout, cdout, 8);
		buf[n++] = 0xdc;
		buf[n++] = 14;
		remsim_simcard_xor_n (buf + n, self->sqn_ms, ak, 6);
		n += 6;
		memcpy (buf + n, mac_s, 8);
		n += 8;
		return remsim_simcard_pending (cmd, buf, n);
	}
	if (self->sqn_check)
		memcpy (self->sqn_ms, sqn, 6);

	remsim_simcard_c3 (ck, ik, kc);
	buf[n++] = 0xdb;
	buf[n++] = self->res_len;
	memcpy (buf + n, res, self->res_len);
	n += self->res_len;
	buf[n++] = 16;
	memcpy (buf + n, ck, 16);
	n += 16;
	buf[n++] = 16;
	memcpy (buf + n, ik, 16);
	n += 16;
	buf[n++] = 8;
	memcpy (buf + n, kc, 8);
	n += 8;
	return remsim_simcard_pending (cmd, buf, n);
}

/* APDU cases by INS, for the commands we know (see Appendix A of the
 * protocol reference): 2 = P3 is Le, 3/4 = P3 is Lc, 1 = no data */
static guint
remsim_simcard_ins_case (guint8 ins)
{
	switch (ins) {
	case 0xb0: /* READ BINARY */
	case 0xb2: /* READ RECORD */
	case 0xc0: /* GET RESPONSE */
	case 0xf2: /* STATUS */
		return 2;
	case 0xa4: /* SELECT */
	case 0xd6: /* UPDATE BINARY */
	case 0xdc: /* UPDATE RECORD */
	case 0x20: /* VERIFY */
	case 0x24: /* CHANGE */
	case 0x26: /* DISABLE */
	case 0x28: /* ENABLE */
	case 0x2c: /* UNBLOCK */
	case 0x88: /* RUN GSM ALGORITHM / AUTHENTICATE */
	case 0x10: /* TERMINAL PROFILE */
		return 3;
	case 0xfa: /* SLEEP */
	case 0x70: /* MANAGE CHANNEL */
		return 1;
	default:
		return 0;
	}
}

static gsize
remsim_simcard_dispatch (RemsimSimcardCmd *cmd, const guint8 *pending, gsize pending_len)
{
	gboolean uicc_prop = !cmd->gsm && (cmd->cla & 0x80) != 0;

	/* CLA 8x carries the UICC's proprietary commands only */
	if (uicc_prop && cmd->ins != 0xf2 && cmd->ins != 0x10 && cmd->ins != 0xc0)
		return remsim_simcard_sw (cmd, 0x6d00);
	if (!cmd->gsm && !uicc_prop && (cmd->ins == 0xf2 || cmd->ins == 0x10))
		return remsim_simcard_sw (cmd, 0x6d00);

	switch (cmd->ins) {
	case 0xa4:
		return remsim_simcard_cmd_select (cmd);
	case 0xf2:
		return remsim_simcard_cmd_status (cmd);
	case 0xc0:
		return remsim_simcard_cmd_get_response (cmd, pending, pending_len);
	case 0xb0:
		return remsim_simcard_cmd_binary (cmd, FALSE);
	case 0xd6:
		return remsim_simcard_cmd_binary (cmd, TRUE);
	case 0xb2:
		return remsim_simcard_cmd_record (cmd, FALSE);
	case 0xdc:
		return remsim_simcard_cmd_record (cmd, TRUE);
	case 0x20:
	case 0x24:
	case 0x26:
	case 0x28:
	case 0x2c:
		return remsim_simcard_cmd_chv (cmd);
	case 0x88:
		return cmd->gsm ? remsim_simcard_cmd_run_gsm_algorithm (cmd)
				: remsim_simcard_cmd_authenticate (cmd);
	case 0x10: /* TERMINAL PROFILE: accepted, no toolkit behind it */
	case 0xfa: /* SLEEP */
		if (cmd->ins == 0xfa && !cmd->gsm)
			return remsim_simcard_sw (cmd, 0x6d00);
		return remsim_simcard_sw (cmd, 0x9000);
	case 0x70: /* MANAGE CHANNEL: only the basic channel */
		return remsim_simcard_sw (cmd, cmd->gsm ? 0x6d00 : 0x6881);
	default:
		return remsim_simcard_sw (cmd, 0x6d00);
	}
}

/**
 * remsim_simcard_process_into:
 * @self: a #RemsimSimcard
 * @apdu: a command: the 5-byte T=0 header plus P3 bytes of data for case
 *   3/4 commands (a trailing Le byte after the data is accepted and
 *   ignored); a 4-byte command is taken as P3 = 00
 * @len: length of @apdu
 * @out: (out caller-allocates): at least %REMSIM_SIMCARD_MAX_RESPONSE bytes
 * @out_size: size of @out
 *
 * Answers one command, as a T=0 card would.
 *
 * Returns: the length of the response written to @out (data + SW1 SW2),
 *   or 0 if @out_size is too small
 *
 * Since: 0.1
 */
gsize
remsim_simcard_process_into (
    RemsimSimcard *self, const guint8 *apdu, gsize len, guint8 *out, gsize out_size)
{
	RemsimSimcardCmd cmd = {.self = self, .out = out};
	guint8 pending[256];
	gsize pending_len;
	guint icase;

	g_return_val_if_fail (REMSIM_IS_SIMCARD (self), 0);
	g_return_val_if_fail (out != NULL && out_size >= REMSIM_SIMCARD_MAX_RESPONSE, 0);
	g_return_val_if_fail (apdu != NULL || len == 0, 0);

	/* response data is only for the command that follows */
	pending_len = self->pending_len;
	memcpy (pending, self->pending, pending_len);
	self->pending_len = 0;

	if (len < 4)
		return remsim_simcard_sw (&cmd, 0x6700);
	cmd.cla = apdu[0];
	cmd.ins = apdu[1];
	cmd.p1 = apdu[2];
	cmd.p2 = apdu[3];
	cmd.p3 = len > 4 ? apdu[4] : 0;
	cmd.data = apdu + 5;

	/* class: A0 = GSM 11.11; 0x and 8x = ISO/ETSI basic channel; other
	 * channels and secure messaging are not supported */
	if (cmd.cla == 0xa0) {
		cmd.gsm = TRUE;
	} else if ((cmd.cla & 0x70) == 0x00) {
		if ((cmd.cla & 0x0c) != 0)
			return remsim_simcard_sw (&cmd, 0x6882);
		if ((cmd.cla & 0x03) != 0)
			return remsim_simcard_sw (&cmd, 0x6881);
	} else if ((cmd.cla & 0x40) != 0 && cmd.cla != 0xff) {
		return remsim_simcard_sw (&cmd, 0x6881);
	} else {
		return remsim_simcard_sw (&cmd, 0x6e00);
	}

	/* length: case 1/2 carry no data, case 3/4 exactly P3 bytes */
	icase = remsim_simcard_ins_case (cmd.ins);
	if (icase == 0)
		return remsim_simcard_sw (&cmd, 0x6d00);
	if (icase == 3) {
		if (len != 5 + (gsize)cmd.p3 && len != 6 + (gsize)cmd.p3 && len != 4)
			return remsim_simcard_sw (&cmd, 0x6700);
	} else if (len > 5) {
		return remsim_simcard_sw (&cmd, 0x6700);
	}

	return remsim_simcard_dispatch (&cmd, pending, pending_len);
}

/**
 * remsim_simcard_process:
 * @self: a #RemsimSimcard
 * @apdu: the command
 * @len: its length
 *
 * Returns: (transfer full): the response, data followed by SW1 SW2
 *
 * Since: 0.1
 */
GBytes *
remsim_simcard_process (RemsimSimcard *self, const guint8 *apdu, gsize len)
{
	guint8 out[REMSIM_SIMCARD_MAX_RESPONSE];
	gsize n;

	g_return_val_if_fail (REMSIM_IS_SIMCARD (self), NULL);
	n = remsim_simcard_process_into (self, apdu, len, out, sizeof (out));
	return g_bytes_new (out, n);
}

/* ------------------------------------------------------------------------- */
/* power                                                                     */

static void
remsim_simcard_clear_session (RemsimSimcard *self)
{
	self->cur_df = self->mf;
	self->cur_ef = NULL;
	self->cur_adf = NULL;
	self->cur_rec = 0;
	self->pending_len = 0;
	self->chv1.verified = FALSE;
}

/**
 * remsim_simcard_get_atr:
 *
 * Returns: (transfer full): the ATR from the profile
 *
 * Since: 0.1
 */
GBytes *
remsim_simcard_get_atr (RemsimSimcard *self)
{
	g_return_val_if_fail (REMSIM_IS_SIMCARD (self), NULL);
	return g_bytes_ref (self->atr);
}

/**
 * remsim_simcard_power_on:
 *
 * Cold start: the session state (current file, PIN verification, pending
 * response) is cleared; retry counters and file contents are kept.
 *
 * Returns: (transfer full): the ATR
 *
 * Since: 0.1
 */
GBytes *
remsim_simcard_power_on (RemsimSimcard *self)
{
	g_return_val_if_fail (REMSIM_IS_SIMCARD (self), NULL);
	remsim_simcard_clear_session (self);
	self->powered = TRUE;
	return g_bytes_ref (self->atr);
}

/**
 * remsim_simcard_reset:
 *
 * Warm reset; same effect on the state as remsim_simcard_power_on().
 *
 * Returns: (transfer full): the ATR
 *
 * Since: 0.1
 */
GBytes *
remsim_simcard_reset (RemsimSimcard *self)
{
	return remsim_simcard_power_on (self);
}

void
remsim_simcard_power_off (RemsimSimcard *self)
{
	g_return_if_fail (REMSIM_IS_SIMCARD (self));
	remsim_simcard_clear_session (self);
	self->powered = FALSE;
}

gboolean
remsim_simcard_is_powered (RemsimSimcard *self)
{
	g_return_val_if_fail (REMSIM_IS_SIMCARD (self), FALSE);
	return self->powered;
}

/* ------------------------------------------------------------------------- */
/* profile                                                                   */

gboolean
remsim_simcard_parse_hex (const gchar *str, GByteArray *out)
{
	gint hi = -1;

	for (const gchar *p = str; *p != '\0'; p++) {
		gint v;
		if (g_ascii_isspace (*p) || *p == ':')
			continue;
		v = g_ascii_xdigit_value (*p);
		if (v < 0)
			return FALSE;
		if (hi < 0) {
			hi = v;
		} else {
			guint8 b = (hi << 4) | v;
			g_byte_array_append (out, &b, 1);
			hi = -1;
		}
	}
	return hi < 0;
}

static gboolean G_GNUC_WARN_UNUSED_RESULT
remsim_simcard_profile_error (
    GError **error, const gchar *origin, const gchar *group, const gchar *key, const gchar *what)
{
	g_set_error (error,
		     REMSIM_SIMCARD_ERROR,
		     REMSIM_SIMCARD_ERROR_INVALID_PROFILE,
		     "%s: [%s] %s: %s",
		     origin,
		     group,
		     key,
		     what);
	return FALSE;
}

static gboolean G_GNUC_WARN_UNUSED_RESULT
remsim_simcard_get_hex (GKeyFile *kf,
			const gchar *origin,
			const gchar *group,
			const gchar *key,
			gsize min,
			gsize max,
			GByteArray *out,
			GError **error)
{
	g_autofree gchar *str = g_key_file_get_string (kf, group, key, NULL);

	if (str == NULL)
		return remsim_simcard_profile_error (error, origin, group, key, "missing");
	if (!remsim_simcard_parse_hex (str, out) || out->len < min || out->len > max) {
		g_autofree gchar *what = g_strdup_printf (
		    "expected %" G_GSIZE_FORMAT " to %" G_GSIZE_FORMAT " hex bytes", min, max);
		return remsim_simcard_profile_error (error, origin, group, key, what);
	}
	return TRUE;
}

static gboolean G_GNUC_WARN_UNUSED_RESULT
remsim_simcard_get_uint (GKeyFile *kf,
			 const gchar *origin,
			 const gchar *group,
			 const gchar *key,
			 guint min,
			 guint max,
			 guint *value,
			 GError **error)
{
	g_autoptr (GError) error_local = NULL;
	gint v;

	if (!g_key_file_has_key (kf, group, key, NULL))
		return TRUE; /* keep the default */
	v = g_key_file_get_integer (kf, group, key, &error_local);
	if (error_local != NULL || v < (gint)min || v > (gint)max) {
		g_autofree gchar *what =
		    g_strdup_printf ("expected an integer from %u to %u", min, max);
		return remsim_simcard_profile_error (error, origin, group, key, what);
	}
	*value = v;
	return TRUE;
}

static gboolean G_GNUC_WARN_UNUSED_RESULT
remsim_simcard_get_bool (GKeyFile *kf,
			 const gchar *origin,
			 const gchar *group,
			 const gchar *key,
			 gboolean *value,
			 GError **error)
{
	g_autoptr (GError) error_local = NULL;
	gboolean v;

	if (!g_key_file_has_key (kf, group, key, NULL))
		return TRUE;
	v = g_key_file_get_boolean (kf, group, key, &error_local);
	if (error_local != NULL)
		return remsim_simcard_profile_error (
		    error, origin, group, key, "expected true or false");
	*value = v;
	return TRUE;
}

static gboolean G_GNUC_WARN_UNUSED_RESULT
remsim_simcard_check_keys (GKeyFile *kf,
			   const gchar *origin,
			   const gchar *group,
			   const gchar *const *known,
			   GError **error)
{
	g_auto (GStrv) keys = g_key_file_get_keys (kf, group, NULL, NULL);

	for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
		if (!g_strv_contains (known, keys[i]))
			return remsim_simcard_profile_error (
			    error, origin, group, keys[i], "unknown key");
	}
	return TRUE;
}

/* digits as BCD, low nibble first, padded with F */
static gboolean
remsim_simcard_swapped_bcd (const gchar *digits, guint8 *out, gsize out_len)
{
	gsize n = strlen (digits);

	if (n > out_len * 2)
		return FALSE;
	memset (out, 0xff, out_len);
	for (gsize i = 0; i < n; i++) {
		guint8 d;
		if (g_ascii_isdigit (digits[i]))
			d = digits[i] - '0';
		else if (digits[i] == 'f' || digits[i] == 'F')
			d = 0xf;
		else
			return FALSE;
		if (i % 2 == 0)
			out[i / 2] = (out[i / 2] & 0xf0) | d;
		else
			out[i / 2] = (out[i / 2] & 0x0f) | (d << 4);
	}
	return TRUE;
}

/* EF IMSI, TS 31.102 4.2.2: length, then digits as in TS 24.008 10.5.1.4 */
static gboolean
remsim_simcard_encode_imsi (const gchar *imsi, guint8 out[9])
{
	gsize n = strlen (imsi);
	g_autofree gchar *digits = NULL;

	if (n < 6 || n > 15)
		return FALSE;
	for (gsize i = 0; i < n; i++) {
		if (!g_ascii_isdigit (imsi[i]))
			return FALSE;
	}
	/* first nibble: type of identity 1 (IMSI) and odd/even indicator */
	digits = g_strdup_printf ("%c%s", n % 2 ? '9' : '1', imsi);
	memset (out, 0xff, 9);
	out[0] = (n + 2) / 2;
	return remsim_simcard_swapped_bcd (digits, out + 1, 8);
}

static gboolean
remsim_simcard_parse_ac (const gchar *str, RemsimSimcardAc *ac)
{
	if (g_strcmp0 (str, "always") == 0)
		*ac = REMSIM_SIMCARD_AC_ALWAYS;
	else if (g_strcmp0 (str, "pin1") == 0)
		*ac = REMSIM_SIMCARD_AC_PIN1;
	else if (g_strcmp0 (str, "adm") == 0)
		*ac = REMSIM_SIMCARD_AC_ADM;
	else if (g_strcmp0 (str, "never") == 0)
		*ac = REMSIM_SIMCARD_AC_NEVER;
	else
		return FALSE;
	return TRUE;
}

static gboolean G_GNUC_WARN_UNUSED_RESULT
remsim_simcard_get_pin (
    GKeyFile *kf, const gchar *origin, const gchar *key, guint min, guint8 out[8], GError **error)
{
	g_autofree gchar *str = g_key_file_get_string (kf, "card", key, NULL);
	gsize n;

	if (str == NULL)
		return TRUE;
	n = strlen (str);
	if (n < min || n > 8)
		return remsim_simcard_profile_error (error, origin, "card", key, "wrong length");
	for (gsize i = 0; i < n; i++) {
		if (!g_ascii_isdigit (str[i]))
			return remsim_simcard_profile_error (
			    error, origin, "card", key, "expected digits");
	}
	memset (out, 0xff, 8);
	memcpy (out, str, n);
	return TRUE;
}

typedef struct {
	gchar *iccid;
	gchar *imsi;
} RemsimSimcardIds;

static gboolean G_GNUC_WARN_UNUSED_RESULT
remsim_simcard_load_card (
    RemsimSimcard *self, GKeyFile *kf, const gchar *origin, RemsimSimcardIds *ids, GError **error)
{
	const gchar *const known[] = {"atr",
				      "iccid",
				      "imsi",
				      "ki",
				      "gsm-algorithm",
				      "res-length",
				      "sqn-check",
				      "pin1",
				      "pin1-enabled",
				      "pin1-retries",
				      "puk1",
				      "puk1-retries",
				      "description",
				      NULL};
	g_autoptr (GByteArray) atr = g_byte_array_new ();
	g_autoptr (GByteArray) ki = g_byte_array_new ();
	g_autofree gchar *algo = NULL;

	if (!g_key_file_has_group (kf, "card"))
		return remsim_simcard_profile_error (error, origin, "card", "*", "missing group");
	if (!remsim_simcard_check_keys (kf, origin, "card", known, error))
		return FALSE;
	if (!remsim_simcard_get_hex (kf, origin, "card", "atr", 2, 33, atr, error))
		return FALSE;
	self->atr = g_bytes_new (atr->data, atr->len);
	if (!remsim_simcard_get_hex (kf, origin, "card", "ki", 16, 16, ki, error))
		return FALSE;
	memcpy (self->ki, ki->data, 16);

	ids->iccid = g_key_file_get_string (kf, "card", "iccid", NULL);
	ids->imsi = g_key_file_get_string (kf, "card", "imsi", NULL);

	algo = g_key_file_get_string (kf, "card", "gsm-algorithm", NULL);
	if (algo == NULL || g_strcmp0 (algo, "xor-3g") == 0)
		self->gsm_xor_2g = FALSE;
	else if (g_strcmp0 (algo, "xor-2g") == 0)
		self->gsm_xor_2g = TRUE;
	else
		return remsim_simcard_profile_error (
		    error, origin, "card", "gsm-algorithm", "expected xor-3g or xor-2g");
	if (!remsim_simcard_get_uint (
		kf, origin, "card", "res-length", 4, 16, &self->res_len, error))
		return FALSE;
	if (!remsim_simcard_get_bool (kf, origin, "card", "sqn-check", &self->sqn_check, error))
		return FALSE;

	if (!remsim_simcard_get_pin (kf, origin, "pin1", 4, self->chv1.value, error))
		return FALSE;
	if (!remsim_simcard_get_pin (kf, origin, "puk1", 8, self->chv1.puk, error))
		return FALSE;
	if (!remsim_simcard_get_bool (
		kf, origin, "card", "pin1-enabled", &self->chv1.enabled, error))
		return FALSE;
	if (!remsim_simcard_get_uint (
		kf, origin, "card", "pin1-retries", 1, 15, &self->chv1.max_retries, error))
		return FALSE;
	if (!remsim_simcard_get_uint (
		kf, origin, "card", "puk1-retries", 1, 15, &self->chv1.puk_max_retries, error))
		return FALSE;
	self->chv1.retries = self->chv1.max_retries;
	self->chv1.puk_retries = self->chv1.puk_max_retries;
	return TRUE;
}

static guint
remsim_simcard_path_depth (const gchar *group)
{
	guint depth = 0;

	for (const gchar *p = group; *p != '\0'; p++) {
		if (*p == '/')
			depth++;
	}
	return depth;
}

static gint
remsim_simcard_group_cmp (gconstpointer a, gconstpointer b)
{
	const gchar *ga = *(const gchar *const *)a;
	const gchar *gb = *(const gchar *const *)b;
	guint da = remsim_simcard_path_depth (ga);
	guint db = remsim_simcard_path_depth (gb);

	if (da != db)
		return da < db ? -1 : 1;
	return g_strcmp0 (ga, gb);
}

static RemsimSimcardNode *
remsim_simcard_find_path (RemsimSimcard *self, const gchar *path)
{
	for (guint i = 0; i < self->nodes->len; i++) {
		RemsimSimcardNode *node = g_ptr_array_index (self->nodes, i);
		if (g_ascii_strcasecmp (node->path, path) == 0)
			return node;
	}
	return NULL;
}

static gboolean
remsim_simcard_parse_fid (const gchar *str, guint16 *fid)
{
	guint64 v;

	if (strlen (str) != 4 || !g_ascii_string_to_unsigned (str, 16, 0, 0xffff, &v, NULL))
		return FALSE;
	*fid = v;
	return TRUE;
}

static gboolean G_GNUC_WARN_UNUSED_RESULT
remsim_simcard_file_data (RemsimSimcard *self,
			  GKeyFile *kf,
			  const gchar *origin,
			  const gchar *group,
			  RemsimSimcardNode *node,
			  const RemsimSimcardIds *ids,
			  GError **error)
{
	g_autoptr (GByteArray) data = g_byte_array_new ();
	g_autofree gchar *from = g_key_file_get_string (kf, group, "data-from", NULL);
	guint size = 0;

	if (node->type == REMSIM_SIMCARD_NODE_LINEAR_FIXED) {
		g_auto (GStrv) records =
		    g_key_file_get_string_list (kf, group, "records", NULL, NULL);
		guint count = records != NULL ? g_strv_length (records) : 0;

		node->rec_len = 0;
		if (!remsim_simcard_get_uint (
			kf, origin, group, "record-length", 1, 255, &node->rec_len, error))
			return FALSE;
		if (node->rec_len == 0)
			return remsim_simcard_profile_error (
			    error, origin, group, "record-length", "missing");
		node->rec_count = count;
		if (!remsim_simcard_get_uint (kf,
					      origin,
					      group,
					      "record-count",
					      MAX (count, 1),
					      254,
					      &node->rec_count,
					      error))
			return FALSE;
		if (node->rec_count == 0)
			return remsim_simcard_profile_error (
			    error, origin, group, "record-count", "missing");
		node->size = (gsize)node->rec_len * node->rec_count;
		node->data = g_malloc (node->size);
		memset (node->data, 0xff, node->size);
		for (guint i = 0; i < count; i++) {
			g_autoptr (GByteArray) rec = g_byte_array_new ();
			if (!remsim_simcard_parse_hex (records[i], rec) || rec->len > node->rec_len)
				return remsim_simcard_profile_error (
				    error,
				    origin,
				    group,
				    "records",
				    "expected hex records no longer than record-length");
			memcpy (node->data + (gsize)i * node->rec_len, rec->data, rec->len);
		}
		return TRUE;
	}

	if (from != NULL) {
		guint8 buf[10];
		if (g_strcmp0 (from, "iccid") == 0) {
			if (ids->iccid == NULL || !remsim_simcard_swapped_bcd (ids->iccid, buf, 10))
				return remsim_simcard_profile_error (
				    error, origin, "card", "iccid", "expected up to 20 digits");
			g_byte_array_append (data, buf, 10);
		} else if (g_strcmp0 (from, "imsi") == 0) {
			if (ids->imsi == NULL || !remsim_simcard_encode_imsi (ids->imsi, buf))
				return remsim_simcard_profile_error (
				    error, origin, "card", "imsi", "expected 6 to 15 digits");
			g_byte_array_append (data, buf, 9);
		} else {
			return remsim_simcard_profile_error (
			    error, origin, group, "data-from", "expected iccid or imsi");
		}
	} else if (g_key_file_has_key (kf, group, "data", NULL)) {
		if (!remsim_simcard_get_hex (kf, origin, group, "data", 0, 65535, data, error))
			return FALSE;
	}
	size = data->len;
	if (!remsim_simcard_get_uint (kf, origin, group, "size", data->len, 65535, &size, error))
		return FALSE;
	if (size == 0)
		return remsim_simcard_profile_error (error, origin, group, "data", "empty file");
	node->size = size;
	node->data = g_malloc (size);
	memset (node->data, 0xff, size);
	memcpy (node->data, data->data, data->len);
	return TRUE;
}

static gboolean G_GNUC_WARN_UNUSED_RESULT
remsim_simcard_load_file (RemsimSimcard *self,
			  GKeyFile *kf,
			  const gchar *origin,
			  const gchar *group,
			  const RemsimSimcardIds *ids,
			  GError **error)
{
	const gchar *const known[] = {"type",
				      "name",
				      "aid",
				      "data",
				      "data-from",
				      "size",
				      "records",
				      "record-length",
				      "record-count",
				      "read",
				      "update",
				      NULL};
	const gchar *path = group + strlen ("file:");
	g_autofree gchar *type = g_key_file_get_string (kf, group, "type", NULL);
	g_autofree gchar *read = g_key_file_get_string (kf, group, "read", NULL);
	g_autofree gchar *update = g_key_file_get_string (kf, group, "update", NULL);
	g_autofree gchar *parent_path = NULL;
	const gchar *last = strrchr (path, '/');
	RemsimSimcardNode *parent = NULL;
	RemsimSimcardNode *node;

	if (!remsim_simcard_check_keys (kf, origin, group, known, error))
		return FALSE;
	if (type == NULL)
		return remsim_simcard_profile_error (error, origin, group, "type", "missing");

	/* the MF exists always; its group only sets the name */
	if (g_ascii_strcasecmp (path, "3F00") == 0) {
		if (g_strcmp0 (type, "mf") != 0)
			return remsim_simcard_profile_error (
			    error, origin, group, "type", "3F00 is the MF");
		return TRUE;
	}

	node = g_new0 (RemsimSimcardNode, 1);
	node->path = g_strdup (path);
	node->children = g_ptr_array_new ();
	g_ptr_array_add (self->nodes, node);

	if (g_strcmp0 (type, "adf") == 0) {
		g_autoptr (GByteArray) aid = g_byte_array_new ();
		if (last != NULL || !g_str_has_prefix (path, "ADF."))
			return remsim_simcard_profile_error (
			    error,
			    origin,
			    group,
			    "type",
			    "an ADF is a top-level [file:ADF.<name>] group");
		node->type = REMSIM_SIMCARD_NODE_ADF;
		node->fid = 0x7fff;
		if (!remsim_simcard_get_hex (kf, origin, group, "aid", 5, 16, aid, error))
			return FALSE;
		memcpy (node->aid, aid->data, aid->len);
		node->aid_len = aid->len;
		node->parent = self->mf;
		g_ptr_array_add (self->adfs, node);
		return TRUE;
	}

	if (last == NULL)
		return remsim_simcard_profile_error (
		    error, origin, group, "type", "path must start with 3F00/ or ADF.<name>/");
	parent_path = g_strndup (path, last - path);
	parent = remsim_simcard_find_path (self, parent_path);
	if (parent == NULL || !remsim_simcard_node_is_df (parent))
		return remsim_simcard_profile_error (
		    error, origin, group, "type", "parent is not a defined MF, DF or ADF");
	if (!remsim_simcard_parse_fid (last + 1, &node->fid) || node->fid == 0x3f00 ||
	    node->fid == 0x7fff || node->fid == 0xffff)
		return remsim_simcard_profile_error (
		    error, origin, group, "type", "expected a 4-hex-digit file id");
	if (remsim_simcard_child (parent, node->fid, TRUE, TRUE) != NULL)
		return remsim_simcard_profile_error (
		    error, origin, group, "type", "file id used twice");
	node->parent = parent;

	if (g_strcmp0 (type, "df") == 0) {
		node->type = REMSIM_SIMCARD_NODE_DF;
	} else if (g_strcmp0 (type, "transparent") == 0) {
		node->type = REMSIM_SIMCARD_NODE_TRANSPARENT;
	} else if (g_strcmp0 (type, "linear-fixed") == 0) {
		node->type = REMSIM_SIMCARD_NODE_LINEAR_FIXED;
	} else {
		return remsim_simcard_profile_error (
		    error,
		    origin,
		    group,
		    "type",
		    "expected mf, df, adf, transparent or linear-fixed");
	}
	g_ptr_array_add (parent->children, node);
	if (node->type == REMSIM_SIMCARD_NODE_DF)
		return TRUE;

	node->read_ac = REMSIM_SIMCARD_AC_ALWAYS;
	node->update_ac = REMSIM_SIMCARD_AC_ADM;
	if (read != NULL && !remsim_simcard_parse_ac (read, &node->read_ac))
		return remsim_simcard_profile_error (
		    error, origin, group, "read", "expected always, pin1, adm or never");
	if (update != NULL && !remsim_simcard_parse_ac (update, &node->update_ac))
		return remsim_simcard_profile_error (
		    error, origin, group, "update", "expected always, pin1, adm or never");
	return remsim_simcard_file_data (self, kf, origin, group, node, ids, error);
}

static gboolean G_GNUC_WARN_UNUSED_RESULT
remsim_simcard_load (RemsimSimcard *self, GKeyFile *kf, const gchar *origin, GError **error)
{
	g_auto (GStrv) groups = g_key_file_get_groups (kf, NULL);
	g_autofree gchar *iccid = NULL;
	g_autofree gchar *imsi = NULL;
	RemsimSimcardIds ids = {NULL, NULL};
	gboolean ok;

	ok = remsim_simcard_load_card (self, kf, origin, &ids, error);
	iccid = ids.iccid;
	imsi = ids.imsi;
	if (!ok)
		return FALSE;

	qsort (groups, g_strv_length (groups), sizeof (gchar *), remsim_simcard_group_cmp);
	for (guint i = 0; groups[i] != NULL; i++) {
		if (g_strcmp0 (groups[i], "card") == 0)
			continue;
		if (!g_str_has_prefix (groups[i], "file:"))
			return remsim_simcard_profile_error (
			    error, origin, groups[i], "*", "unknown group");
		if (!remsim_simcard_load_file (self, kf, origin, groups[i], &ids, error))
			return FALSE;
	}
	remsim_simcard_clear_session (self);
	return TRUE;
}

/**
 * remsim_simcard_new_from_data:
 * @data: a profile keyfile
 * @length: its length, or -1 if NUL-terminated
 * @origin: a name for error messages, e.g. the file name
 * @error: return location for a #GError
 *
 * Returns: (transfer full): a new card, powered off, or %NULL
 *
 * Since: 0.1
 */
RemsimSimcard *
remsim_simcard_new_from_data (const gchar *data, gssize length, const gchar *origin, GError **error)
{
	g_autoptr (RemsimSimcard) self = g_object_new (REMSIM_TYPE_SIMCARD, NULL);
	g_autoptr (GKeyFile) kf = g_key_file_new ();

	g_return_val_if_fail (data != NULL, NULL);

	if (origin == NULL)
		origin = "profile";
	if (!g_key_file_load_from_data (kf, data, length, G_KEY_FILE_NONE, error)) {
		g_prefix_error (error, "%s: ", origin);
		return NULL;
	}
	if (!remsim_simcard_load (self, kf, origin, error))
		return NULL;
	return g_steal_pointer (&self);
}

/**
 * remsim_simcard_new_from_file:
 *
 * Returns: (transfer full): a new card from the profile at @path, or %NULL
 *
 * Since: 0.1
 */
RemsimSimcard *
remsim_simcard_new_from_file (const gchar *path, GError **error)
{
	g_autofree gchar *contents = NULL;
	gsize len = 0;

	g_return_val_if_fail (path != NULL, NULL);
	if (!g_file_get_contents (path, &contents, &len, error))
		return NULL;
	return remsim_simcard_new_from_data (contents, len, path, error);
}

/**
 * remsim_simcard_get_default_profile:
 *
 * Returns: (transfer full): the built-in default profile, a copy of
 *   data/simcard/default.conf compiled into the program
 *
 * Since: 0.1
 */
GBytes *
remsim_simcard_get_default_profile (void)
{
	return g_resource_lookup_data (remsim_simcard_get_resource (),
				       REMSIM_SIMCARD_RESOURCE,
				       G_RESOURCE_LOOKUP_FLAGS_NONE,
				       NULL);
}

/**
 * remsim_simcard_new_default:
 *
 * The profile named by $REMSIM_SIMCARD_PROFILE if set, else the built-in
 * default profile.
 *
 * Returns: (transfer full): a new card, or %NULL
 *
 * Since: 0.1
 */
RemsimSimcard *
remsim_simcard_new_default (GError **error)
{
	const gchar *path = g_getenv (REMSIM_SIMCARD_PROFILE_ENV);
	g_autoptr (GBytes) bytes = NULL;

	if (path != NULL && path[0] != '\0')
		return remsim_simcard_new_from_file (path, error);
	bytes = remsim_simcard_get_default_profile ();
	g_assert (bytes != NULL);
	return remsim_simcard_new_from_data (g_bytes_get_data (bytes, NULL),
					     g_bytes_get_size (bytes),
					     "built-in default profile",
					     error);
}

/* ------------------------------------------------------------------------- */

static void
remsim_simcard_finalize (GObject *object)
{
	RemsimSimcard *self = REMSIM_SIMCARD (object);

	g_clear_pointer (&self->atr, g_bytes_unref);
	g_clear_pointer (&self->adfs, g_ptr_array_unref);
	g_clear_pointer (&self->nodes, g_ptr_array_unref);
	G_OBJECT_CLASS (remsim_simcard_parent_class)->finalize (object);
}

static void
remsim_simcard_class_init (RemsimSimcardClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS (klass);

	object_class->finalize = remsim_simcard_finalize;
}

static void
remsim_simcard_init (RemsimSimcard *self)
{
	self->nodes = g_ptr_array_new_with_free_func ((GDestroyNotify)remsim_simcard_node_free);
	self->adfs = g_ptr_array_new ();
	self->res_len = 8;
	self->chv1.max_retries = 3;
	self->chv1.puk_max_retries = 10;
	self->chv1.retries = 3;
	self->chv1.puk_retries = 10;
	memcpy (self->chv1.value, "1234\xff\xff\xff\xff", 8);
	memcpy (self->chv1.puk, "12345678", 8);

	self->mf = g_new0 (RemsimSimcardNode, 1);
	self->mf->type = REMSIM_SIMCARD_NODE_MF;
	self->mf->fid = 0x3f00;
	self->mf->path = g_strdup ("3F00");
	self->mf->children = g_ptr_array_new ();
	g_ptr_array_add (self->nodes, self->mf);
	self->cur_df = self->mf;
}
