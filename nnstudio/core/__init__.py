"""The pure-Python heart of NN Studio: graph, layer catalogue, analysis, data, project files."""
