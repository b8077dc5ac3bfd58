#!/usr/bin/env python
from daodi.cli import main

if __name__ == "__main__":
    main()
