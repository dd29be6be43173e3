"""analysis: who is central in the cooperation network, and which agencies form communities.

Centrality and communities are written as node attributes, so every export format carries them:
`degree` (partners), `weighted_degree` (deliverables shared, counted per partner),
`betweenness` (normalised, on the unweighted graph: a shared deliverable is a tie, not a
distance) and `community` (1 is the largest; Louvain on the weights with a fixed seed, so the
same graph gives the same communities).
"""

from __future__ import annotations

import networkx as nx

from cchc_graph.export.views import Network

SEED = 20140101  # any fixed number: Louvain is randomised, the exports must not be
DIGITS = 6  # floats are rounded so that files do not change with the last bit


def analyse(graph: Network) -> None:
    """Add degree, weighted_degree, betweenness and community to every node of `graph`."""
    simple = nx.Graph(graph) if graph.is_multigraph() else graph
    betweenness = betweenness_by_component(simple)
    communities = nx.community.louvain_communities(simple, weight="weight", seed=SEED)
    ranked = sorted(communities, key=lambda members: (-len(members), min(members)))
    community = {node: number for number, members in enumerate(ranked, 1) for node in members}
    for node, attributes in simple.nodes(data=True):
        attributes["degree"] = simple.degree(node)
        attributes["weighted_degree"] = int(simple.degree(node, weight="weight"))
        attributes["betweenness"] = round(float(betweenness.get(node, 0.0)), DIGITS)
        attributes["community"] = community[node]


def betweenness_by_component(graph: Network) -> dict[str, float]:
    """networkx's normalised betweenness, computed one connected component at a time.

    No shortest path leaves a component, so the sums are the same; but networkx sets up a table
    of every node of the graph for each source, which made 63 provinces of 47 agencies take
    6.7 s instead of 0.2 s.
    """
    n = len(graph)
    if n <= 2:
        return dict.fromkeys(graph, 0.0)
    scale = 2 / ((n - 1) * (n - 2))  # undirected, unnormalised values count each pair once
    found: dict[str, float] = {}
    for component in nx.connected_components(graph):
        part = graph.subgraph(component)
        for node, value in nx.betweenness_centrality(part, normalized=False).items():
            found[node] = value * scale
    return found
