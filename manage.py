#!/usr/bin/env python
from guanqing.cli import main

if __name__ == "__main__":
    main()
