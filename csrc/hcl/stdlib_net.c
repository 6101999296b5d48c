/*
 * cidrhost, cidrnetmask, cidrsubnet, cidrsubnets as go-cty-funcs computes
 * them with hashicorp/go-cidr, IPv4 and IPv6. Addresses are 128-bit
 * integers; an IPv4 prefix uses the low 32 bits.
 */
#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hcl/stdlib_int.h"
#include "util/alloc.h"

typedef unsigned __int128 u128;

typedef struct {
	u128 ip;  /* the network address (masked) */
	int bits; /* 32 or 128 */
	int plen; /* prefix length */
} cidr;

static u128 mask_of(int plen, int bits)
{
	u128 all = bits == 128 ? ~(u128)0 : (((u128)1 << 32) - 1);
	if (plen <= 0)
		return 0;
	if (plen >= bits)
		return all;
	return all & ~((((u128)1) << (bits - plen)) - 1);
}

/* Go's net.ParseCIDR (IPv4 octets without leading zeros) */
static int parse_cidr(const char *s, cidr *c)
{
	const char *slash = strchr(s, '/');
	char addr[64];
	size_t alen;
	long plen;
	char *end;

	if (!slash || (alen = (size_t)(slash - s)) >= sizeof(addr) || !slash[1])
		return -1;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (slash[1] < '0' || slash[1] > '9' || (slash[1] == '0' && slash[2]))
		return -1;
	plen = strtol(slash + 1, &end, 10);
	if (*end)
		return -1;
	if (strchr(addr, ':')) {
		unsigned char b[16];
		int i;
		if (inet_pton(AF_INET6, addr, b) != 1 || plen > 128)
			return -1;
		c->ip = 0;
		for (i = 0; i < 16; i++)
			c->ip = (c->ip << 8) | b[i];
		c->bits = 128;
	} else {
		unsigned long oct[4];
		const char *p = addr;
		int i;
		for (i = 0; i < 4; i++) {
			if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] >= '0' && p[1] <= '9'))
				return -1;
			oct[i] = strtoul(p, &end, 10);
			if (oct[i] > 255 || end - p > 3)
				return -1;
			p = end;
			if (i < 3) {
				if (*p != '.')
					return -1;
				p++;
			}
		}
		if (*p || plen > 32)
			return -1;
		c->ip = (u128)(oct[0] << 24 | oct[1] << 16 | oct[2] << 8 | oct[3]);
		c->bits = 32;
	}
	c->plen = (int)plen;
	c->ip &= mask_of(c->plen, c->bits);
	return 0;
}

static void ip_string(u128 ip, int bits, char *out, size_t n)
{
	if (bits == 32) {
		unsigned long v = (unsigned long)ip;
		snprintf(out, n, "%lu.%lu.%lu.%lu", v >> 24 & 255, v >> 16 & 255, v >> 8 & 255,
			 v & 255);
	} else {
		unsigned char b[16];
		int i;
		for (i = 15; i >= 0; i--) {
			b[i] = (unsigned char)(ip & 0xFF);
			ip >>= 8;
		}
		if (!inet_ntop(AF_INET6, b, out, (socklen_t)n))
			snprintf(out, n, "?");
	}
}

/* arg: the argument index cidrsubnets reports, -1 for the others (plain errors in go-cty-funcs) */
static int parse_arg(hcl_value *v, cidr *c, hcl_func_error *e, int arg)
{
	if (parse_cidr(v->u.str.s, c) < 0)
		return hcl__fail(e, arg, "invalid CIDR expression: invalid CIDR address: %s",
				 v->u.str.s);
	return 0;
}

static int f_cidrhost(void *p, hcl_value *const *args, size_t n, hcl_value **out, hcl_func_error *e)
{
	cidr c;
	long long num;
	int hostlen;
	u128 maxhost, unum;
	char buf[64];

	if (hcl__whole(args[1], &num) < 0)
		return hcl__fail(e, -1, "value must be a whole number");
	if (parse_arg(args[0], &c, e, -1) < 0)
		return -1;
	hostlen = c.bits - c.plen;
	maxhost = hostlen >= 128 ? ~(u128)0 : (((u128)1) << hostlen) - 1;
	if (num < 0) {
		unum = (u128)(-(num + 1));
		if (unum > maxhost)
			return hcl__fail(e, -1,
					 "prefix of %d does not accommodate a host numbered %lld",
					 c.plen, num);
		unum = maxhost - unum;
	} else {
		unum = (u128)num;
		if (unum > maxhost)
			return hcl__fail(e, -1,
					 "prefix of %d does not accommodate a host numbered %lld",
					 c.plen, num);
	}
	ip_string(c.ip | unum, c.bits, buf, sizeof(buf));
	return hcl__ret(out, hcl_cstring(buf), e);
}

static int f_cidrnetmask(void *p, hcl_value *const *args, size_t n, hcl_value **out,
			 hcl_func_error *e)
{
	cidr c;
	char buf[64];
	if (parse_arg(args[0], &c, e, -1) < 0)
		return -1;
	/* net.IP(mask).String(): an IPv6 prefix gives an IPv6-looking mask */
	ip_string(mask_of(c.plen, c.bits), c.bits, buf, sizeof(buf));
	return hcl__ret(out, hcl_cstring(buf), e);
}

static int f_cidrsubnet(void *p, hcl_value *const *args, size_t n, hcl_value **out,
			hcl_func_error *e)
{
	cidr c;
	long long newbits, num;
	int plen;
	char buf[64], res[80];
	u128 ip;

	if (hcl__whole(args[1], &newbits) < 0 || hcl__whole(args[2], &num) < 0)
		return hcl__fail(e, -1, "value must be a whole number");
	if (parse_arg(args[0], &c, e, -1) < 0)
		return -1;
	if (newbits > 32)
		return hcl__fail(e, -1, "may not extend prefix by more than 32 bits");
	if (newbits < 0)
		newbits = 0;
	plen = c.plen + (int)newbits;
	if (plen > c.bits)
		return hcl__fail(e, -1, "insufficient address space to extend prefix of %d by %lld",
				 c.plen, newbits);
	if (num < 0 || (unsigned long long)num > ((1ULL << newbits) - 1))
		return hcl__fail(
			e, -1,
			"prefix extension of %lld does not accommodate a subnet numbered %lld",
			newbits, num);
	ip = c.ip | ((u128)num << (c.bits - plen));
	ip_string(ip, c.bits, buf, sizeof(buf));
	snprintf(res, sizeof(res), "%s/%d", buf, plen);
	return hcl__ret(out, hcl_cstring(res), e);
}

static int f_cidrsubnets(void *p, hcl_value *const *args, size_t n, hcl_value **out,
			 hcl_func_error *e)
{
	cidr c;
	size_t i;
	hcl_value **items;
	u128 cur_ip, all;
	int cur_len, first_set = 0;
	hcl_value *r;

	if (parse_arg(args[0], &c, e, 0) < 0)
		return -1;
	if (n == 1)
		return hcl__ret(out, hcl__list_of(HCL__STR, NULL, 0), e);
	items = atmo__calloc(n - 1, sizeof(*items), NULL);
	if (!items)
		return hcl__nomem(e);
	all = mask_of(c.bits, c.bits);
	cur_ip = 0;
	cur_len = 0;
	for (i = 1; i < n; i++) {
		long long ext;
		int len;
		u128 m, last, next;
		char buf[64], res[80];
		if (hcl__whole(args[i], &ext) < 0) {
			hcl__fail(e, (int)i, "value must be a whole number");
			goto fail;
		}
		if (ext < 1) {
			hcl__fail(e, (int)i, "must extend prefix by at least one bit");
			goto fail;
		}
		if (ext > 32) {
			hcl__fail(e, (int)i, "may not extend prefix by more than 32 bits");
			goto fail;
		}
		len = c.plen + (int)ext;
		if (len > c.bits) {
			hcl__fail(e, (int)i,
				  "would extend prefix to %d bits, which is too long for an %s "
				  "address",
				  len, c.bits == 32 ? "IPv4" : "IPv6");
			goto fail;
		}
		if (!first_set) {
			/* go-cidr's PreviousSubnet(network, first length) */
			m = mask_of(len, c.bits);
			cur_ip = ((c.ip - 1) & all) & m;
			cur_len = len;
			first_set = 1;
		}
		/* NextSubnet(current, len) */
		m = mask_of(len, c.bits);
		last = cur_ip | (~mask_of(cur_len, c.bits) & all);
		{
			u128 sub = last & m;
			u128 sub_last = sub | (~m & all);
			next = (sub_last + 1) & all;
		}
		if (next == 0 || (next & mask_of(c.plen, c.bits)) != c.ip) {
			char cb[64];
			ip_string(cur_ip, c.bits, cb, sizeof(cb));
			hcl__fail(e, (int)i,
				  "not enough remaining address space for a subnet with a prefix "
				  "of %d bits after %s/%d",
				  len, cb, cur_len);
			goto fail;
		}
		cur_ip = next & m;
		cur_len = len;
		ip_string(cur_ip, c.bits, buf, sizeof(buf));
		snprintf(res, sizeof(res), "%s/%d", buf, len);
		items[i - 1] = hcl_cstring(res);
		if (!items[i - 1]) {
			hcl__nomem(e);
			goto fail;
		}
	}
	r = hcl__list_of(HCL__STR, items, n - 1);
	atmo__free(items);
	return hcl__ret(out, r, e);
fail:
	for (i = 0; i < n - 1; i++)
		hcl_value_unref(items[i]);
	atmo__free(items);
	return -1;
}

static const hcl_param p_host[] = { HCL__P("prefix", HCL__STR), HCL__P("hostnum", HCL__NUM) };
static const hcl_param p_mask[] = { HCL__P("prefix", HCL__STR) };
static const hcl_param p_subnet[] = { HCL__P("prefix", HCL__STR), HCL__P("newbits", HCL__NUM),
				      HCL__P("netnum", HCL__NUM) };
static const hcl_param p_subnets_v = HCL__P("newbits", HCL__NUM);

#define FN(nm, params, impl)                                                                       \
	{                                                                                          \
		nm, params, sizeof(params) / sizeof(params[0]), NULL, impl, NULL                   \
	}

const hcl_func hcl__fn_net[] = {
	FN("cidrhost", p_host, f_cidrhost),
	FN("cidrnetmask", p_mask, f_cidrnetmask),
	FN("cidrsubnet", p_subnet, f_cidrsubnet),
	{ "cidrsubnets", p_mask, 1, &p_subnets_v, f_cidrsubnets, NULL },
};
const size_t hcl__fn_net_n = sizeof(hcl__fn_net) / sizeof(hcl__fn_net[0]);
