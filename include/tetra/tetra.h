/* tetra: tensors, trees, tokenizers and transformers in one small C core.
 * One header per module; this one includes them all. */
#ifndef TETRA_TETRA_H
#define TETRA_TETRA_H

#include "tetra/bundle.h"
#include "tetra/core.h"
#include "tetra/nn.h"
#include "tetra/tensor.h"
#include "tetra/text.h"
#include "tetra/trees.h"

#endif
