"""Built-in output plugins, installed as ``scheduler.plugins``; each is registered through the
``scheduler.plugins`` entry-point group in setup.cfg, exactly as a third-party plugin would be."""
