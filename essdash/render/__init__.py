"""The render layer: altair charts, folium maps and the PDF / PowerPoint renderers of the meeting
pack. Takes data from the read layer; writes nothing."""
