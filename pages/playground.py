"""Playground: type PyTorch code, run it in the sandbox, see its output and its graph."""
import streamlit as st

from explorer import run_code
from explorer.views.broadcast import broadcast_steps, expansion_figure, gradient_sums
from explorer.views.chain import chain_text, grad_fn_chain
from explorer.views.graph import graph_dot
from explorer.views.memory import layout_summary, memory_figure
from explorer.views.steps import backward_steps, steps_table

EXAMPLE = """import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
w = torch.ones(2, 1)
y = (w * x).sum()
y.backward()
print(x.grad)
"""


@st.cache_data(show_spinner=False, max_entries=256)
def cached_run(source: str, seed: int):
    return run_code(source, seed=seed)


st.title("Playground")
code = st.text_area("Your PyTorch code", value=st.session_state.get("code", EXAMPLE),
                    height=260, key="code")
left, right = st.columns([1, 1])
direction = right.radio("Graph direction", ["forward", "backward"], horizontal=True,
                        key="direction")
show_values = left.toggle("Show values", value=True, key="show_values")
if st.button("Run", type="primary", key="run") or "last_run" not in st.session_state:
    st.session_state.last_run = cached_run(code, 0)
run = st.session_state.last_run

if run.error is not None:
    where = f" (line {run.error.line})" if run.error.line else ""
    st.error(f"**{run.error.type}**{where}: {run.error.message}")
    if run.error.explanation:
        st.info(run.error.explanation)
if run.stdout:
    st.code(run.stdout, language="text")
if run.result is not None:
    st.code(run.result, language="text")
st.graphviz_chart(graph_dot(run, direction=direction, show_values=show_values))

with_history = [v for v in run.variables if v.tensor is not None and v.tensor.grad_fn]
if with_history:
    chosen = st.selectbox("grad_fn chain of", [v.name for v in with_history], key="chain_of")
    tensor = next(v.tensor for v in with_history if v.name == chosen)
    st.code(chain_text(grad_fn_chain(run, tensor.id)), language="text")

if run.backward:
    st.subheader("Backward, step by step")
    st.dataframe(steps_table(backward_steps(run)), hide_index=True, width="stretch")

tensors = [v for v in run.variables if v.tensor is not None]
if tensors:
    st.subheader("Memory")
    chosen = st.selectbox("storage of", [v.name for v in tensors], key="memory_of")
    tensor = next(v.tensor for v in tensors if v.name == chosen)
    st.caption(layout_summary(tensor))
    st.plotly_chart(memory_figure(run, tensor.storage_id))

stretched = broadcast_steps(run)
if stretched:
    st.subheader("Broadcasting")
    for step in stretched:
        shapes = "  ".join(f"{o.name}: {o.shape} → {o.padded}" for o in step.operands)
        st.caption(f"line {step.line}: {shapes} → {step.result_shape}")
        st.plotly_chart(expansion_figure(run, step), key=f"broadcast_{step.op}")
    for row in gradient_sums(run):
        st.caption(f"{row['node']}: the gradient for {row['operand']} is summed from "
                   f"{row['from']} back to {row['to']}")
