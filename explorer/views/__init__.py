"""Pictures of a Run: each module is one pure function from a Run to DOT, a figure or a table."""
import plotly.io as pio

# Every figure's look, set once for the process: naming the template in each figure's layout
# made Plotly validate the whole template again, about 20 ms per figure (the Training page
# draws sixty of them while it trains).
pio.templates.default = "plotly_white"
