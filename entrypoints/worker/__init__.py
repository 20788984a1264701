"""Background work: periodic jobs run by ``atelier worker`` or inside the web app."""
