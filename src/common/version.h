/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SVATOP_VERSION_H
#define SVATOP_VERSION_H

#define SVATOP_VERSION "0.1"

#endif
