# Databricks notebook source
print("ingest")
